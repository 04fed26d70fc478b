/** The numbered examples run and do what their comments say, so they cannot rot. */
import { requestResponse } from '../../examples/01-request-response';
import { retryThenDeadLetter } from '../../examples/02-retry-dead-letter';
import { prefixSubscription } from '../../examples/03-prefix-subscription';
import { foreignPayloads } from '../../examples/05-foreign-payloads';

describe('examples', () => {
  it('01 answers a request with the service result', async () => {
    expect(await requestResponse()).toEqual({ token: 'jwt-for-ada@example.com' });
  });

  it('02 retries three times, then dead-letters with the reason', async () => {
    expect(await retryThenDeadLetter()).toEqual({ error: 'payment provider unavailable', attempts: '3' });
  });

  it('03 merges every topic with the prefix', async () => {
    expect(await prefixSubscription()).toEqual(['orders.created', 'orders.shipped']);
  });

  it('05 reads typed JSON from a foreign producer and dead-letters the line its codec refuses', async () => {
    expect(await foreignPayloads()).toEqual({
      xs: [1, 3],
      rejected:
        'cannot decode message: payload of ui.clicks as { x: number, y: number }: x: expected number, got string "left"; y: required',
    });
  });
});
