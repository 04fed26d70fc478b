import { isSecretKey, redactSecrets, REDACTED } from '../../src/config/redactSecrets.js';

describe('redactSecrets', () => {
  it('recognizes password, secret, token and key in any case', () => {
    for (const key of ['password', 'db_PASSWORD', 'clientSecret', 'GITHUB_TOKEN', 'api_key', 'apiKey']) {
      expect(isSecretKey(key)).withContext(key).toBeTrue();
    }
    for (const key of ['port', 'service_name', 'bus_addr', 'user']) {
      expect(isSecretKey(key)).withContext(key).toBeFalse();
    }
  });

  it('redacts secret values at any depth, in arrays, and whole subtrees, without touching the input', () => {
    const input = {
      user: 'ada',
      password: 'p',
      db: { host: 'h', Password: 12, nested: [{ token: 't', ok: 1 }] },
      keys: { a: 1 },
    };
    const redacted = redactSecrets(input);
    expect(redacted).toEqual({
      user: 'ada',
      password: REDACTED,
      db: { host: 'h', Password: REDACTED, nested: [{ token: REDACTED, ok: 1 }] },
      keys: REDACTED,
    } as unknown as typeof input);
    expect(input.password).toBe('p');
    expect(REDACTED).toBe('[redacted]');
  });

  it('leaves scalars alone and survives cycles', () => {
    expect(redactSecrets(5)).toBe(5);
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic['self'] = cyclic;
    expect(redactSecrets(cyclic)).toEqual({ a: 1, self: '[circular]' });
  });
});
