import { InvalidLogLevelError } from '../../src/errors.js';
import { CONTEXT_FIELD, loggerFromSink } from '../../src/logger/loggerFromSink.js';
import type { LogFields, LogLevel } from '../../src/logger/types.js';

describe('loggerFromSink', () => {
  const recording = (level?: string, bindings?: LogFields) => {
    const calls: [LogLevel, string, LogFields][] = [];
    const log = loggerFromSink((lvl, message, fields) => calls.push([lvl, message, fields]), {
      level,
      bindings,
    });
    return { log, calls };
  };

  it('defaults to info and sends passing lines to the sink', () => {
    const { log, calls } = recording();
    log.debug('d');
    log.info('i', { a: 1 });
    expect(calls).toEqual([['info', 'i', { a: 1 }]]);
  });

  it('merges bindings under call fields', () => {
    const { log, calls } = recording('debug', { service: 's', a: 1 });
    log.with('b', 2).debug('x', { a: 3 });
    expect(calls).toEqual([['debug', 'x', { service: 's', a: 3, b: 2 }]]);
  });

  it('withContext binds the context field', () => {
    const { log, calls } = recording();
    log.withContext('t1').info('x');
    expect(CONTEXT_FIELD).toBe('contextID');
    expect(calls[0]?.[2]).toEqual({ contextID: 't1' });
  });

  it('a child does not change its parent bindings', () => {
    const { log, calls } = recording();
    log.with('k', 'v');
    log.info('x');
    expect(calls[0]?.[2]).toEqual({});
  });

  it('rejects an unknown starting level', () => {
    expect(() => loggerFromSink(() => undefined, { level: 'verbose' })).toThrowError(InvalidLogLevelError);
  });
});
