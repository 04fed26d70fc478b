import { InvalidLogLevelError } from '../../src/errors.js';
import { memoryLogger } from '../../src/logger/memoryLogger.js';
import type { ILogger } from '../../src/logger/types.js';

describe('memoryLogger', () => {
  it('records every level by default, with message and fields', () => {
    const log = memoryLogger();
    log.debug('d');
    log.error('e', { code: 7 });
    expect(log.records).toEqual([
      { level: 'debug', message: 'd', fields: {} },
      { level: 'error', message: 'e', fields: { code: 7 } },
    ]);
  });

  it('children write to the shared records and keep the extras', () => {
    const log = memoryLogger();
    const child = log.with('node', 'n1').withContext('c1');
    child.info('hi');
    expect(child.records).toBe(log.records);
    expect(log.records).toEqual([{ level: 'info', message: 'hi', fields: { node: 'n1', contextID: 'c1' } }]);
  });

  it('respects its level and setLevel', () => {
    const log = memoryLogger({ level: 'warn' });
    log.info('dropped');
    log.setLevel('info');
    log.info('kept');
    expect(log.records.map((record) => record.message)).toEqual(['kept']);
    expect(() => log.setLevel('loud')).toThrowError(InvalidLogLevelError);
    expect(() => memoryLogger({ level: 'loud' })).toThrowError(InvalidLogLevelError);
  });

  it('is an ILogger', () => {
    const log: ILogger = memoryLogger().with('a', 1);
    log.info('typed');
    expect(log.level).toBe('debug');
  });

  it('keeps at most limit records, dropping the oldest', () => {
    const log = memoryLogger({ limit: 2 });
    log.info('1');
    log.info('2');
    log.info('3');
    expect(log.records.map((record) => record.message)).toEqual(['2', '3']);
  });

  it('clear forgets every record, also through a child', () => {
    const log = memoryLogger();
    log.info('x');
    log.with('a', 1).clear();
    expect(log.records.length).toBe(0);
    log.info('y');
    expect(log.records.length).toBe(1);
  });
});
