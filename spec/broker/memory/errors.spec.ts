import { RxMiniError, isRxMiniError } from '../../../src/errors';
import { QueueFullError } from '../../../src/broker/memory';

describe('QueueFullError', () => {
  it('is a CAPACITY rxmini error with its topic, channel, queue and limit', () => {
    const error = new QueueFullError('orders', 'billing', 'channel', 10);
    expect(error).toBeInstanceOf(RxMiniError);
    expect(isRxMiniError(error, 'CAPACITY')).toBeTrue();
    expect(error.name).toBe('QueueFullError');
    expect(error).toEqual(
      jasmine.objectContaining({ topic: 'orders', channel: 'billing', queue: 'channel', limit: 10 }),
    );
    expect(error.message).toBe('publish to orders refused: channel billing holds 10 messages');
  });

  it('names the topic queue and the deferred queue', () => {
    expect(new QueueFullError('t', undefined, 'topic', 2).message).toBe(
      'publish to t refused: the topic (no channel yet) holds 2 messages',
    );
    expect(new QueueFullError('t', undefined, 'deferred', 3).message).toBe(
      'publish to t refused: the topic has 3 deferred publishes pending',
    );
  });

  it('keeps its cause', () => {
    const cause = new Error('root');
    expect(new QueueFullError('t', undefined, 'topic', 1, { cause }).cause).toBe(cause);
  });
});
