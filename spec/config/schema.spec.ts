import * as E from 'fp-ts/lib/Either.js';
import { configDefaults, decodeKnownConfig, KnownConfig } from '../../src/config/schema.js';

describe('schema', () => {
  it('the defaults are the documented ones and decode as they are', () => {
    expect(configDefaults).toEqual({
      service_name: 'default',
      bus_addr: '127.0.0.1:4150',
      log_level: 'info',
      port: 8080,
      dev_mode: false,
      hc_memory_critical: 10,
      hc_memory_warning: 20,
      hc_load_critical: 1.5,
      hc_load_warning: 1.0,
    });
    expect(KnownConfig.is(configDefaults)).toBeTrue();
    expect(decodeKnownConfig(configDefaults)).toEqual(E.right(configDefaults));
  });

  it('turns string forms into numbers, booleans and normalized levels, keeping extra keys', () => {
    const decoded = decodeKnownConfig({
      ...configDefaults,
      port: '9090',
      dev_mode: 'TRUE',
      log_level: 'Warn',
      hc_load_critical: '2.5',
      lookupd_addr: '127.0.0.1:4161',
      extra: { x: 1 },
    });
    expect(decoded).toEqual(
      E.right(
        jasmine.objectContaining({
          port: 9090,
          dev_mode: true,
          log_level: 'warn',
          hc_load_critical: 2.5,
          lookupd_addr: '127.0.0.1:4161',
          extra: { x: 1 },
        }) as unknown as KnownConfig,
      ),
    );
  });

  it('reports every failing key with its path, expected type and value', () => {
    const decoded = decodeKnownConfig({
      ...configDefaults,
      service_name: '',
      log_level: 'warning',
      port: 70000,
      dev_mode: 'yes',
      hc_memory_critical: 150,
      lookupd_addr: 5,
    });
    if (E.isRight(decoded)) return fail('expected issues');
    const byPath = Object.fromEntries(decoded.left.map((issue) => [issue.path, issue]));
    expect(Object.keys(byPath).sort()).toEqual(
      ['dev_mode', 'hc_memory_critical', 'log_level', 'lookupd_addr', 'port', 'service_name'].sort(),
    );
    expect(byPath['port']).toEqual(
      jasmine.objectContaining({
        expected: 'integer 0-65535',
        actual: 70000,
        message: 'port: expected integer 0-65535, got 70000',
      }),
    );
    expect(byPath['log_level']?.expected).toBe('debug | info | warn | error');
    expect(byPath['dev_mode']?.message).toBe('dev_mode: expected boolean, got "yes"');
  });

  it('names a missing required key', () => {
    const { port: _omitted, ...withoutPort } = configDefaults;
    const decoded = decodeKnownConfig(withoutPort);
    expect(E.isLeft(decoded) && decoded.left[0]?.message).toBe('port: required integer 0-65535');
  });

  it('requires thresholds in order: the warning comes before the critical level', () => {
    const decoded = decodeKnownConfig({
      ...configDefaults,
      hc_memory_critical: 30,
      hc_memory_warning: 20,
      hc_load_critical: 1,
      hc_load_warning: 2,
    });
    if (E.isRight(decoded)) return fail('expected issues');
    expect(decoded.left.map((issue) => issue.path)).toEqual(['hc_memory_warning', 'hc_load_warning']);
    expect(decoded.left[0]?.expected).toBe('>= hc_memory_critical (30)');
  });
});
