import { Writable } from 'node:stream';
import { InvalidLogLevelError } from '../../src/errors.js';
import { createLogger, type CreateLoggerOptions } from '../../src/logger/createLogger.js';

/** A Writable that keeps every chunk written to it. */
const capture = (isTTY = false): { stream: Writable & { isTTY?: boolean }; chunks: string[] } => {
  const chunks: string[] = [];
  const stream: Writable & { isTTY?: boolean } = new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      chunks.push(chunk.toString());
      callback();
    },
  });
  if (isTTY) stream.isTTY = true;
  return { stream, chunks };
};

const jsonLogger = (level?: string, options: CreateLoggerOptions = {}) => {
  const { stream, chunks } = capture();
  const log = createLogger('auth', level, { destination: stream, env: {}, ...options });
  const lines = (): Record<string, unknown>[] =>
    chunks.map((chunk) => JSON.parse(chunk) as Record<string, unknown>);
  return { log, lines, chunks };
};

describe('createLogger', () => {
  describe('JSON output', () => {
    it('writes one JSON object a line with the service, the level as a label and the message', () => {
      const { log, lines, chunks } = jsonLogger();
      log.info('ready', { port: 4150 });
      expect(chunks.length).toBe(1);
      expect(chunks[0]?.endsWith('\n')).toBeTrue();
      const [line] = lines();
      expect(line).toEqual(
        jasmine.objectContaining({
          service: 'auth',
          level: 'info',
          msg: 'ready',
          port: 4150,
          pid: process.pid,
        }),
      );
      expect(typeof line?.['time']).toBe('number');
    });

    it('serializes errors under err and error with message and stack', () => {
      const { log, lines } = jsonLogger();
      log.error('failed', { err: new Error('boom'), error: new TypeError('bad') });
      const line = lines()[0] as { err: Record<string, unknown>; error: Record<string, unknown> };
      expect(line.err['message']).toBe('boom');
      expect(String(line.err['stack'])).toContain('boom');
      expect(line.error['type']).toBe('TypeError');
      expect(line.error['message']).toBe('bad');
    });

    it('serializes an Error under any other key too, instead of printing {}', () => {
      const { log, lines } = jsonLogger();
      log.error('recovered', { cause: new RangeError('out of range'), label: 'orders' });
      const line = lines()[0] as { cause: Record<string, unknown>; label: string };
      expect(line.cause['type']).toBe('RangeError');
      expect(line.cause['message']).toBe('out of range');
      expect(line.label).toBe('orders');
    });
  });

  describe('levels', () => {
    it('defaults to info: debug is dropped, info and above pass', () => {
      const { log, lines } = jsonLogger();
      expect(log.level).toBe('info');
      log.debug('d');
      log.info('i');
      log.warn('w');
      log.error('e');
      expect(lines().map((line) => line['level'])).toEqual(['info', 'warn', 'error']);
    });

    it('filters below the level given at creation', () => {
      const { log, lines } = jsonLogger('warn');
      log.debug('d');
      log.info('i');
      log.warn('w');
      log.error('e');
      expect(lines().map((line) => line['msg'])).toEqual(['w', 'e']);
    });

    it('passes debug at level debug', () => {
      const { log, lines } = jsonLogger('debug');
      log.debug('d');
      expect(lines().map((line) => line['level'])).toEqual(['debug']);
    });

    it('reads level names case-insensitively', () => {
      expect(jsonLogger('WARN').log.level).toBe('warn');
    });

    it('rejects an unknown level at creation instead of falling back to info', () => {
      expect(() => createLogger('auth', 'warning', { env: {} })).toThrowError(
        InvalidLogLevelError,
        /"warning"/,
      );
    });

    it('setLevel changes what passes', () => {
      const { log, lines } = jsonLogger('debug');
      log.setLevel('error');
      expect(log.level).toBe('error');
      log.warn('w');
      log.error('e');
      expect(lines().map((line) => line['msg'])).toEqual(['e']);
    });

    it('setLevel with an unknown level throws and keeps the level', () => {
      const { log } = jsonLogger('debug');
      expect(() => log.setLevel('warning')).toThrowError(InvalidLogLevelError);
      expect(log.level).toBe('debug');
    });

    it('children follow the parent level until they get their own', () => {
      const { log, lines } = jsonLogger('debug');
      const child = log.with('component', 'router');
      log.setLevel('warn');
      expect(child.level).toBe('warn');
      child.info('dropped');
      child.setLevel('debug');
      child.debug('child debug');
      log.info('parent info dropped');
      expect(log.level).toBe('warn');
      expect(lines().map((line) => line['msg'])).toEqual(['child debug']);
    });
  });

  describe('with / withContext', () => {
    it('with returns a child carrying the field; the parent is unchanged', () => {
      const { log, lines } = jsonLogger();
      const child = log.with('node', 'n1');
      child.info('from child');
      log.info('from parent');
      const [fromChild, fromParent] = lines();
      expect(fromChild?.['node']).toBe('n1');
      expect(fromParent).not.toEqual(jasmine.objectContaining({ node: jasmine.anything() }));
    });

    it('chained with accumulates fields, and a call field overrides a binding without duplicating it', () => {
      const { log, lines, chunks } = jsonLogger();
      log.with('node', 'n1').with('region', 'eu').info('x', { node: 'n2' });
      expect(lines()[0]).toEqual(jasmine.objectContaining({ node: 'n2', region: 'eu' }));
      expect(chunks[0]?.match(/"node"/g)?.length).toBe(1);
    });

    it('withContext adds contextID to every line of the child only', () => {
      const { log, lines } = jsonLogger();
      const traced = log.withContext('trace-1');
      traced.warn('slow');
      traced.with('step', 2).info('next');
      log.info('untraced');
      const [slow, next, untraced] = lines();
      expect(slow?.['contextID']).toBe('trace-1');
      expect(next).toEqual(jasmine.objectContaining({ contextID: 'trace-1', step: 2 }));
      expect(untraced?.['contextID']).toBeUndefined();
    });
  });

  describe('pretty mode', () => {
    it('is selected by LOG_PRETTY=1: output is not JSON and reads [service] message', () => {
      const { stream, chunks } = capture();
      const log = createLogger('auth', 'info', { destination: stream, env: { LOG_PRETTY: '1' } });
      log.info('hello', { user: 'ada' });
      const text = chunks.join('');
      expect(() => JSON.parse(text) as unknown).toThrow();
      expect(text).toContain('INFO');
      expect(text).toContain('[auth] hello');
      expect(text).toContain('user: "ada"');
    });

    it('is selected when the destination is a terminal, with colors unless NO_COLOR', () => {
      const colored = capture(true);
      createLogger('auth', 'info', { destination: colored.stream, env: {} }).info('hello');
      expect(colored.chunks.join('')).toContain('[auth] hello');
      expect(colored.chunks.join('')).toContain('\u001b[');

      const plain = capture(true);
      createLogger('auth', 'info', { destination: plain.stream, env: { NO_COLOR: '1' } }).info('hello');
      expect(plain.chunks.join('')).toContain('[auth] hello');
      expect(plain.chunks.join('')).not.toContain('\u001b[');
    });

    it('LOG_PRETTY=0 forces JSON even on a terminal', () => {
      const { stream, chunks } = capture(true);
      createLogger('auth', 'info', { destination: stream, env: { LOG_PRETTY: '0' } }).info('hello');
      expect(JSON.parse(chunks[0] ?? '')).toEqual(jasmine.objectContaining({ msg: 'hello' }));
    });

    it('the pretty option wins over LOG_PRETTY', () => {
      const { stream, chunks } = capture();
      createLogger('auth', 'info', { destination: stream, pretty: false, env: { LOG_PRETTY: '1' } }).info(
        'hi',
      );
      expect(JSON.parse(chunks[0] ?? '')).toEqual(jasmine.objectContaining({ msg: 'hi', service: 'auth' }));
    });

    it('still filters levels and carries child fields', () => {
      const { stream, chunks } = capture();
      const log = createLogger('auth', 'warn', { destination: stream, pretty: true, env: {} });
      log.info('dropped');
      log.withContext('c-9').warn('kept');
      const text = chunks.join('');
      expect(text).not.toContain('dropped');
      expect(text).toContain('[auth] kept');
      expect(text).toContain('contextID: "c-9"');
    });
  });
});
