import { isPlainObject } from './coerce.js';

/** What a secret value is replaced with. */
export const REDACTED = '[redacted]';

const SECRET_KEY = /password|secret|token|key/i;

/**
 * True when a key names a secret: it contains `password`, `secret`, `token` or
 * `key`, in any case (`db_password`, `apiKey`, `GITHUB_TOKEN`).
 *
 * @example
 * ```ts
 * import { isSecretKey } from 'rxmini';
 * isSecretKey('apiKey'); // true
 * isSecretKey('port'); // false
 * ```
 */
export const isSecretKey = (key: string): boolean => SECRET_KEY.test(key);

/**
 * A copy of `value` in which the value of every secret key (see {@link isSecretKey}),
 * at any depth and inside arrays, is {@link REDACTED} — whole, even when it is an
 * object. `value` itself is not changed.
 *
 * @example
 * ```ts
 * import { redactSecrets } from 'rxmini';
 * redactSecrets({ db: { host: 'h', password: 'p' } }); // { db: { host: 'h', password: '[redacted]' } }
 * ```
 */
export const redactSecrets = <T>(value: T): T => redact(value, new WeakSet()) as T;

const redact = (value: unknown, seen: WeakSet<object>): unknown => {
  if (typeof value !== 'object' || value === null) return value;
  if (seen.has(value)) return '[circular]';
  seen.add(value);
  try {
    if (Array.isArray(value)) return value.map((item) => redact(item, seen));
    if (!isPlainObject(value)) return value;
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, isSecretKey(key) ? REDACTED : redact(item, seen)]),
    );
  } finally {
    seen.delete(value);
  }
};
