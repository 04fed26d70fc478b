import * as O from 'fp-ts/lib/Option.js';
import { configFromObject } from '../../src/config/config.js';
import { ConfigError } from '../../src/errors.js';

describe('configFromObject', () => {
  it('injects the defaults for every missing known key', () => {
    const cfg = configFromObject({ service_name: 'auth' });
    expect(cfg.values).toEqual(
      jasmine.objectContaining({
        service_name: 'auth',
        bus_addr: '127.0.0.1:4150',
        log_level: 'info',
        port: 8080,
        dev_mode: false,
        hc_memory_critical: 10,
        hc_memory_warning: 20,
        hc_load_critical: 1.5,
        hc_load_warning: 1.0,
      }),
    );
    expect(cfg.has('lookupd_addr')).toBeFalse();
  });

  it('keeps unknown keys and treats undefined values as absent', () => {
    const cfg = configFromObject({ feature_x: { enabled: true }, port: undefined });
    expect(cfg.get('feature_x')).toEqual({ enabled: true });
    expect(cfg.get('port')).toBe(8080);
  });

  it('throws a ConfigError listing every invalid key', () => {
    try {
      configFromObject({ port: 'http', log_level: 'warning' });
      fail('expected a ConfigError');
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const configError = error as ConfigError;
      expect(configError.issues.map((issue) => issue.path).sort()).toEqual(['log_level', 'port']);
      expect(configError.message).toContain('port: expected integer 0-65535, got "http"');
      expect(configError.message).toContain('log_level');
    }
  });

  it('is deeply immutable and unaffected by later changes to the input', () => {
    const input = { db: { host: 'a' } };
    const cfg = configFromObject(input);
    input.db.host = 'b';
    expect(cfg.mustString('db.host')).toBe('a');
    expect(Object.isFrozen(cfg.values)).toBeTrue();
    expect(Object.isFrozen(cfg.get('db'))).toBeTrue();
  });
});

describe('Config', () => {
  const cfg = configFromObject({
    service_name: 'auth',
    workers: '4',
    ratio: '0.5',
    half: 2.5,
    flag: 'true',
    off: '0',
    empty: '',
    nothing: null,
    'dotted.key': 'flat',
    db: { host: 'h', port: 5432, password: 'p', replicas: ['r1', 'r2'] },
    api_key: 'k-123',
  });

  describe('has / get', () => {
    it('has tells present (even null or "") from missing', () => {
      expect(cfg.has('service_name')).toBeTrue();
      expect(cfg.has('nothing')).toBeTrue();
      expect(cfg.has('empty')).toBeTrue();
      expect(cfg.has('missing')).toBeFalse();
      expect(cfg.has('db.host')).toBeTrue();
      expect(cfg.has('db.missing')).toBeFalse();
      expect(cfg.has('service_name.length')).toBeFalse();
    });

    it('get returns raw values, walking dotted paths and arrays, exact keys first', () => {
      expect(cfg.get('port')).toBe(8080);
      expect(cfg.get('db.port')).toBe(5432);
      expect(cfg.get('db.replicas.1')).toBe('r2');
      expect(cfg.get('dotted.key')).toBe('flat');
      expect(cfg.get('missing')).toBeUndefined();
      expect(cfg.get('toString')).toBeUndefined();
    });
  });

  describe('must*', () => {
    it('mustString returns strings, and numbers and booleans as strings', () => {
      expect(cfg.mustString('service_name')).toBe('auth');
      expect(cfg.mustString('port')).toBe('8080');
      expect(cfg.mustString('dev_mode')).toBe('false');
      expect(cfg.mustString('empty')).toBe('');
    });

    it('mustString on a missing key or an object throws a ConfigError naming the key', () => {
      expect(() => cfg.mustString('missing')).toThrowMatching(
        (error) =>
          error instanceof ConfigError &&
          error.message === 'config key "missing" is missing (expected string)' &&
          error.issues[0]?.path === 'missing',
      );
      expect(() => cfg.mustString('db')).toThrowError(ConfigError, /config key "db": expected string/);
      expect(() => cfg.mustString('nothing')).toThrowError(ConfigError, /got null/);
    });

    it('mustInt reads integers and integer strings', () => {
      expect(cfg.mustInt('port')).toBe(8080);
      expect(cfg.mustInt('workers')).toBe(4);
      expect(cfg.mustInt('db.port')).toBe(5432);
    });

    it('mustInt rejects fractions, words and missing keys with the key named', () => {
      expect(() => cfg.mustInt('half')).toThrowError(
        ConfigError,
        'config key "half": expected integer, got 2.5',
      );
      expect(() => cfg.mustInt('ratio')).toThrowError(ConfigError, /"ratio": expected integer, got "0.5"/);
      expect(() => cfg.mustInt('service_name')).toThrowError(ConfigError, /"service_name"/);
      expect(() => cfg.mustInt('missing')).toThrowError(ConfigError, /"missing" is missing/);
    });

    it('mustNumber and mustBool convert string forms', () => {
      expect(cfg.mustNumber('ratio')).toBe(0.5);
      expect(cfg.mustNumber('hc_load_critical')).toBe(1.5);
      expect(cfg.mustBool('flag')).toBeTrue();
      expect(cfg.mustBool('off')).toBeFalse();
      expect(cfg.mustBool('dev_mode')).toBeFalse();
      expect(() => cfg.mustBool('workers')).toThrowError(ConfigError, /expected boolean/);
    });

    it('does not show a secret value in the error', () => {
      expect(() => cfg.mustInt('api_key')).toThrowMatching(
        (error) =>
          error instanceof ConfigError &&
          !error.message.includes('k-123') &&
          error.message.includes('[redacted]') &&
          error.issues[0]?.actual === '[redacted]',
      );
    });
  });

  describe('get* with Option or fallback', () => {
    it('gives None or the fallback for a missing key', () => {
      expect(cfg.getString('missing')).toEqual(O.none);
      expect(cfg.getString('missing', 'dflt')).toBe('dflt');
      expect(cfg.getNumber('missing', 3)).toBe(3);
      expect(cfg.getBool('missing')).toEqual(O.none);
      expect(cfg.getBool('missing', true)).toBeTrue();
    });

    it('gives Some or the value (not the fallback) for a present key', () => {
      expect(cfg.getString('service_name')).toEqual(O.some('auth'));
      expect(cfg.getString('service_name', 'dflt')).toBe('auth');
      expect(cfg.getNumber('workers')).toEqual(O.some(4));
      expect(cfg.getNumber('ratio', 9)).toBe(0.5);
      expect(cfg.getBool('flag', false)).toBeTrue();
      expect(cfg.getBool('off', true)).toBeFalse();
    });

    it('throws for a present key of the wrong type rather than silently using the fallback', () => {
      expect(() => cfg.getNumber('service_name', 1)).toThrowError(
        ConfigError,
        /"service_name": expected number/,
      );
      expect(() => cfg.getBool('workers')).toThrowError(ConfigError, /"workers": expected boolean/);
    });
  });

  describe('dump / toJSON', () => {
    it('dump is indented JSON of every value with secrets redacted, nested too', () => {
      const dumped = JSON.parse(cfg.dump()) as Record<string, unknown>;
      expect(cfg.dump()).toContain('\n  "service_name": "auth"');
      expect(dumped['api_key']).toBe('[redacted]');
      expect(dumped['db']).toEqual({ host: 'h', port: 5432, password: '[redacted]', replicas: ['r1', 'r2'] });
      expect(dumped['port']).toBe(8080);
      expect(cfg.dump()).not.toContain('k-123');
      expect(cfg.mustString('api_key')).toBe('k-123');
    });

    it('JSON.stringify(config) is redacted too', () => {
      const text = JSON.stringify(cfg);
      expect(text).toContain('"password":"[redacted]"');
      expect(text).not.toContain('"p"');
    });
  });
});
