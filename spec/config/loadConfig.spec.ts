import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { loadConfig, loadConfigEither } from '../../src/config/loadConfig.js';
import { ConfigError, MissingVariableError } from '../../src/errors.js';

describe('loadConfig', () => {
  let dir: string;
  const write = (name: string, content: unknown): string => {
    const file = join(dir, name);
    writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
    return file;
  };
  const errorOf = (run: () => unknown): Error => {
    try {
      run();
    } catch (error) {
      return error as Error;
    }
    throw new Error('expected a throw');
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'rxmini-config-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  describe('sources and precedence', () => {
    it('with no file and an empty environment gives the defaults', () => {
      const cfg = loadConfig({ env: {} });
      expect(cfg.values).toEqual({
        service_name: 'default',
        bus_addr: '127.0.0.1:4150',
        log_level: 'info',
        port: 8080,
        dev_mode: false,
        hc_memory_critical: 10,
        hc_memory_warning: 20,
        hc_load_critical: 1.5,
        hc_load_warning: 1.0,
      } as unknown as typeof cfg.values);
    });

    it('file value > SRV_* fallback > options.defaults > built-in default', () => {
      const file = write('c.json', { service_name: 'from-file' });
      const cfg = loadConfig({
        file,
        env: { SRV_SERVICE_NAME: 'from-env', SRV_BUS_ADDR: 'nsq:4150' },
        defaults: { service_name: 'mine', bus_addr: 'mine:1', workers: 2 },
      });
      expect(cfg.mustString('service_name')).toBe('from-file');
      expect(cfg.mustString('bus_addr')).toBe('nsq:4150');
      expect(cfg.mustInt('workers')).toBe(2);
      expect(cfg.mustInt('port')).toBe(8080);
    });

    it('maps SRV_X_Y to x_y and converts known keys to their types', () => {
      const cfg = loadConfig({
        env: {
          SRV_LOG_LEVEL: 'WARN',
          SRV_PORT: '9090',
          SRV_DEV_MODE: '1',
          SRV_HC_MEMORY_CRITICAL: '5',
          SRV_HC_LOAD_WARNING: '0.75',
          SRV_LOOKUPD_ADDR: '127.0.0.1:4161',
          SRV_MY_SETTING: '42',
          OTHER_PORT: '1',
        },
      });
      expect(cfg.values).toEqual(
        jasmine.objectContaining({
          log_level: 'warn',
          port: 9090,
          dev_mode: true,
          hc_memory_critical: 5,
          hc_load_warning: 0.75,
          lookupd_addr: '127.0.0.1:4161',
          my_setting: '42',
        }),
      );
      expect(cfg.mustInt('my_setting')).toBe(42);
      expect(cfg.has('other_port')).toBeFalse();
    });

    it('ignores empty SRV_* variables', () => {
      expect(loadConfig({ env: { SRV_PORT: '' } }).mustInt('port')).toBe(8080);
    });

    it('reads the file named by SRV_CONFIG, which does not become a key', () => {
      const file = write('named.json', { service_name: 'named' });
      const cfg = loadConfig({ env: { SRV_CONFIG: file } });
      expect(cfg.mustString('service_name')).toBe('named');
      expect(cfg.has('config')).toBeFalse();
    });

    it('options.file wins over SRV_CONFIG', () => {
      const chosen = write('chosen.json', { service_name: 'chosen' });
      const cfg = loadConfig({ file: chosen, env: { SRV_CONFIG: join(dir, 'absent.json') } });
      expect(cfg.mustString('service_name')).toBe('chosen');
    });

    it('honours another prefix, and envPrefix false turns fallbacks off', () => {
      expect(loadConfig({ env: { APP_PORT: '1234' }, envPrefix: 'APP_' }).mustInt('port')).toBe(1234);
      const off = loadConfig({
        env: { SRV_PORT: '1234', SRV_CONFIG: join(dir, 'absent.json') },
        envPrefix: false,
      });
      expect(off.mustInt('port')).toBe(8080);
      expect(() => loadConfig({ env: {}, envPrefix: '' })).toThrowError(ConfigError, /envPrefix/);
    });

    it('keeps unknown keys of the file, nested too', () => {
      const file = write('c.json', { feature: { flags: ['a'], limit: 3 } });
      const cfg = loadConfig({ file, env: {} });
      expect(cfg.get('feature')).toEqual({ flags: ['a'], limit: 3 });
      expect(cfg.mustInt('feature.limit')).toBe(3);
    });

    it('keeps file keys as written (no lower-casing)', () => {
      const cfg = loadConfig({ file: write('c.json', { MyKey: 1 }), env: {} });
      expect(cfg.has('MyKey')).toBeTrue();
      expect(cfg.has('mykey')).toBeFalse();
    });
  });

  describe('${VAR} interpolation', () => {
    it('expands variables in string values at any depth, with defaults and $$', () => {
      const file = write('c.json', {
        bus_addr: '${NSQ_HOST}:4150',
        port: '${PORT:-7000}',
        db: { password: '${DB_PASSWORD}', urls: ['http://${DB_HOST:-localhost}'] },
        price: '$$5',
      });
      const cfg = loadConfig({ file, env: { NSQ_HOST: 'nsq', DB_PASSWORD: 's3cret' } });
      expect(cfg.mustString('bus_addr')).toBe('nsq:4150');
      expect(cfg.get('port')).toBe(7000);
      expect(cfg.mustString('db.password')).toBe('s3cret');
      expect(cfg.get('db.urls')).toEqual(['http://localhost']);
      expect(cfg.mustString('price')).toBe('$5');
    });

    it('lets the environment override a file value written as ${VAR:-value}', () => {
      const file = write('c.json', { port: '${PORT:-7000}' });
      expect(loadConfig({ file, env: { PORT: '7100' } }).mustInt('port')).toBe(7100);
    });

    it('an unset variable without default is a MissingVariableError naming it, the file and the key', () => {
      const file = write('c.json', { db: { password: '${DB_PASSWORD}' } });
      const error = errorOf(() => loadConfig({ file, env: {} }));
      expect(error).toBeInstanceOf(MissingVariableError);
      expect((error as MissingVariableError).variable).toBe('DB_PASSWORD');
      expect(error.message).toContain(file);
      expect(error.message).toContain('db.password');
    });

    it('does not expand object keys or non-string values', () => {
      const file = write('c.json', { '${KEY}': 1, n: 2 });
      const cfg = loadConfig({ file, env: { KEY: 'x' } });
      expect(cfg.has('${KEY}')).toBeTrue();
      expect(cfg.has('x')).toBeFalse();
    });
  });

  describe('validation', () => {
    it('reports every bad key with path, expected type and where it came from', () => {
      const file = write('c.json', { log_level: 'warning', dev_mode: 'maybe' });
      const result = loadConfigEither({ file, env: { SRV_PORT: 'eighty' } });
      if (E.isRight(result)) return fail('expected a ConfigError');
      expect(result.left).toBeInstanceOf(ConfigError);
      const error = result.left as ConfigError;
      const byPath = Object.fromEntries(error.issues.map((issue) => [issue.path, issue]));
      expect(Object.keys(byPath).sort()).toEqual(['dev_mode', 'log_level', 'port']);
      expect(byPath['port']).toEqual(
        jasmine.objectContaining({ expected: 'integer 0-65535', actual: 'eighty' }),
      );
      expect(byPath['port']?.message).toContain('(from SRV_PORT)');
      expect(byPath['log_level']?.message).toContain(`(from ${file})`);
      expect(byPath['log_level']?.expected).toBe('debug | info | warn | error');
      expect(error.message).toContain(file);
    });

    it('loadConfig throws the same typed error', () => {
      expect(() => loadConfig({ env: { SRV_LOG_LEVEL: 'loud' } })).toThrowError(ConfigError, /log_level/);
    });
  });

  describe('file errors', () => {
    it('a missing file is a ConfigError naming it, with the cause', () => {
      const file = join(dir, 'absent.json');
      const error = errorOf(() => loadConfig({ file, env: {} })) as ConfigError;
      expect(error).toBeInstanceOf(ConfigError);
      expect(error.message).toContain(`cannot read config file ${file}`);
      expect((error.cause as NodeJS.ErrnoException).code).toBe('ENOENT');
    });

    it('invalid JSON is a ConfigError naming the file, with a hint for unquoted variables', () => {
      const plain = write('bad.json', '{ "port": 80, }');
      expect(() => loadConfig({ file: plain, env: {} })).toThrowError(
        ConfigError,
        /bad\.json is not valid JSON/,
      );
      const unquoted = write('unquoted.json', '{ "port": ${PORT} }');
      expect(() => loadConfig({ file: unquoted, env: { PORT: '1' } })).toThrowError(
        ConfigError,
        /write variables inside strings/,
      );
    });

    it('a file that is not a JSON object is a ConfigError', () => {
      const file = write('array.json', '[1, 2]');
      expect(() => loadConfig({ file, env: {} })).toThrowError(
        ConfigError,
        /must hold a JSON object, not an array/,
      );
    });

    it('accepts a UTF-8 byte order mark', () => {
      const file = write('bom.json', '\uFEFF{"service_name": "bom"}');
      expect(loadConfig({ file, env: {} }).mustString('service_name')).toBe('bom');
    });
  });

  it('dump redacts secrets read from the file', () => {
    const file = write('c.json', { db: { password: '${DB_PASSWORD}' }, token: 'abc' });
    const dumped = loadConfig({ file, env: { DB_PASSWORD: 's3cret' } }).dump();
    expect(dumped).not.toContain('s3cret');
    expect(dumped).not.toContain('abc');
    expect(JSON.parse(dumped)).toEqual(
      jasmine.objectContaining({ db: { password: '[redacted]' }, token: '[redacted]' }),
    );
  });
});
