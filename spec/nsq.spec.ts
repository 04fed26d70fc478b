import * as nsq from '../src/nsq';

describe('rxmini/nsq (the Node-only NSQ entry)', () => {
  it('exports the NSQ transport and its connection layer', () => {
    for (const name of [
      'consumeNsq',
      'createNsqPublisher',
      'nsqBroker',
      'nsqTransport',
      'PublishFailedError',
      'PublishQueueFullError',
      'PublishTimeoutError',
    ] as const) {
      expect(typeof nsq[name])
        .withContext(name)
        .toBe('function');
    }
    expect(nsq.DEFAULT_RECONNECT).toEqual({ initialMs: 100, maxMs: 10_000, factor: 2, jitter: 0.2 });
  });
});
