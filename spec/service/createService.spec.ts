import * as t from 'io-ts';
import { memoryTransport } from '../../src/transport/memoryTransport.js';
import { createService } from '../../src/service/createService.js';
import { serviceBehaviour } from './behaviour.js';

describe('service/createService', () => {
  serviceBehaviour('in-process');
  serviceBehaviour('over the bus');

  it('consumes its action topics with its msgTimeoutMs', async () => {
    const transport = memoryTransport();
    const subscribeTopic = spyOn(transport, 'subscribeTopic').and.callThrough();
    const svc = createService({
      name: 'echo',
      version: 'v1',
      transport,
      msgTimeoutMs: 2_000,
      namespace: false,
    });
    svc.action('echo.say', t.type({}), () => ({}));
    await svc.start();
    expect(subscribeTopic).toHaveBeenCalledWith(
      'echo.say',
      jasmine.objectContaining({ msgTimeoutMs: 2_000 }),
    );
    await svc.stop();
    await transport.close();
  });
});
