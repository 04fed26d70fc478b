import * as node from '../src/node';

describe('rxmini/node (the Node-only entry for files and the pino logger)', () => {
  it('exports loadConfig, loadConfigEither, createLogger, runService and serveMetrics', () => {
    for (const name of [
      'createLogger',
      'loadConfig',
      'loadConfigEither',
      'runService',
      'serveMetrics',
    ] as const) {
      expect(typeof node[name])
        .withContext(name)
        .toBe('function');
    }
  });

  it('exports exactly its public names (a change here is an API change)', () => {
    expect(Object.keys(node).sort()).toEqual([
      'createLogger',
      'diskWriter',
      'loadConfig',
      'loadConfigEither',
      'nodeSha256',
      'pathSource',
      'readableSource',
      'receiveFilesToDir',
      'runService',
      'sendLocalFile',
      'serveMetrics',
    ]);
  });
});
