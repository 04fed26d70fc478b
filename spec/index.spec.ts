import * as rxmini from '../src/index';

/** Set when karma loaded the standalone browser bundle of src/index.ts (.build/browser/rxmini.js). */
const standalone = (globalThis as { rxmini?: Record<string, unknown> }).rxmini;

describe('rxmini (the root entry)', () => {
  it('exports the isomorphic core as functions', () => {
    for (const name of [
      'backoffDelay',
      'configFromObject',
      'createConversationStore',
      'createMetrics',
      'createTransport',
      'decode',
      'encode',
      'expireAfter',
      'handleDeliveries',
      'loggerFromSink',
      'memoryBroker',
      'memoryLogger',
      'memoryTransport',
      'newRequest',
      'recoverWithContext',
      'safe',
      'validateTopic',
    ] as const) {
      expect(typeof rxmini[name])
        .withContext(name)
        .toBe('function');
    }
  });

  it('exports the shared limits', () => {
    expect(rxmini.MAX_TTL_MS).toBe(2_147_483_647);
    expect(rxmini.MAX_REQUEUE_DELAY_MS).toBe(3_600_000);
    expect(rxmini.DEFAULT_MSG_TIMEOUT_MS).toBe(60_000);
  });

  it('leaves the Node-only names to rxmini/nsq and rxmini/node', () => {
    const names: readonly string[] = Object.keys(rxmini);
    for (const name of [
      'consumeNsq',
      'createLogger',
      'createNsqPublisher',
      'loadConfig',
      'loadConfigEither',
      'nsqBroker',
      'nsqTransport',
    ]) {
      expect(names).withContext(name).not.toContain(name);
    }
  });

  if (standalone !== undefined) {
    it('bundles on its own for the browser, with the same names (karma loads that bundle first)', () => {
      expect(Object.keys(standalone).sort()).toEqual(Object.keys(rxmini).sort());
    });
  }
});
