/**
 * Topic and channel names as NSQ accepts them, checked before anything reaches
 * the wire. Browser-safe: used by every transport, so the memory transport
 * rejects exactly the names nsqd would.
 *
 * @packageDocumentation
 */
import { left, right, type Either } from 'fp-ts/lib/Either.js';
import { InvalidNameError } from '../errors.js';

/** Longest topic or channel name NSQ accepts, the `#ephemeral` suffix included. */
export const MAX_NAME_LENGTH = 64;

/** The suffix that makes a topic or channel ephemeral (memory only, deleted when unused). */
export const EPHEMERAL_SUFFIX = '#ephemeral';

// nsqd's own rule (internal/protocol/names.go); the length is checked separately
const NAME_PATTERN = /^[.a-zA-Z0-9_-]+(#ephemeral)?$/;

/**
 * True when `name` is a valid NSQ topic or channel name: 1–64 characters of
 * `[.a-zA-Z0-9_-]`, optionally ending in `#ephemeral` (counted in the 64).
 *
 * @example
 * ```ts
 * import { isValidName } from 'rxmini';
 * isValidName('orders.created'); // true
 * isValidName('orders created'); // false
 * ```
 * @see {@link validateTopic}
 */
export const isValidName = (name: unknown): name is string =>
  typeof name === 'string' && name.length >= 1 && name.length <= MAX_NAME_LENGTH && NAME_PATTERN.test(name);

/**
 * True when `name` is a valid topic name (same rule as {@link isValidName}).
 *
 * @example
 * ```ts
 * import { isValidTopic } from 'rxmini';
 * isValidTopic('_reply.n1#ephemeral'); // true
 * ```
 */
export const isValidTopic: (name: unknown) => name is string = isValidName;

/**
 * True when `name` is a valid channel name (same rule as {@link isValidName}).
 *
 * @example
 * ```ts
 * import { isValidChannel } from 'rxmini';
 * isValidChannel('auth'); // true
 * ```
 */
export const isValidChannel: (name: unknown) => name is string = isValidName;

/**
 * True when a (valid) name ends in `#ephemeral`.
 *
 * @example
 * ```ts
 * import { isEphemeral } from 'rxmini';
 * isEphemeral('n1#ephemeral'); // true
 * ```
 */
export const isEphemeral = (name: string): boolean => name.endsWith(EPHEMERAL_SUFFIX);

const validate =
  (kind: 'topic' | 'channel') =>
  (name: unknown): Either<InvalidNameError, string> =>
    isValidName(name)
      ? right(name)
      : left(new InvalidNameError(kind, typeof name === 'string' ? name : String(name)));

/**
 * Checks a topic name: `right(name)` when NSQ accepts it, else
 * `left(InvalidNameError)` with `kind: 'topic'`. Never throws.
 *
 * @example
 * ```ts
 * import { validateTopic } from 'rxmini';
 * import { isLeft } from 'fp-ts/lib/Either.js';
 * isLeft(validateTopic('a/b')); // true
 * ```
 * @see {@link validateChannel}
 */
export const validateTopic: (name: unknown) => Either<InvalidNameError, string> = validate('topic');

/**
 * Checks a channel name: `right(name)` when NSQ accepts it, else
 * `left(InvalidNameError)` with `kind: 'channel'`. Never throws.
 *
 * @example
 * ```ts
 * import { validateChannel } from 'rxmini';
 * import { isRight } from 'fp-ts/lib/Either.js';
 * isRight(validateChannel('n1#ephemeral')); // true
 * ```
 * @see {@link validateTopic}
 */
export const validateChannel: (name: unknown) => Either<InvalidNameError, string> = validate('channel');

// a topic name's characters, then at most one trailing `*`; the length is checked separately
const PREFIX_PATTERN = /^[.a-zA-Z0-9_-]*\*?$/;

/**
 * Checks the prefix of a prefix subscription: `right(prefix)` when some valid
 * topic name can start with it (`''` and `*` take every topic; up to 64
 * characters of `[.a-zA-Z0-9_-]`, then at most one trailing `*`), else
 * `left(InvalidNameError)` with `kind: 'prefix'`. Never throws.
 */
export const validateTopicPrefix = (prefix: unknown): Either<InvalidNameError, string> =>
  typeof prefix === 'string' &&
  PREFIX_PATTERN.test(prefix) &&
  (prefix.endsWith('*') ? prefix.length - 1 : prefix.length) <= MAX_NAME_LENGTH
    ? right(prefix)
    : left(new InvalidNameError('prefix', typeof prefix === 'string' ? prefix : String(prefix)));
