import * as node from '../src/node';

describe('rxmini/node (the Node-only entry for files and the pino logger)', () => {
  it('exports loadConfig, loadConfigEither and createLogger', () => {
    for (const name of ['createLogger', 'loadConfig', 'loadConfigEither'] as const) {
      expect(typeof node[name])
        .withContext(name)
        .toBe('function');
    }
  });
});
