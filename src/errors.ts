/**
 * One error class per failure. Every rxmini error has a stable `code`, a `name`
 * equal to its class name, an optional `cause`, and its own structured fields.
 *
 * @see {@link RxMiniError}
 * @packageDocumentation
 */

/** Every error code rxmini raises, as a const object with a derived union. */
export const ErrorCode = {
  BAD_REQUEST: 'BAD_REQUEST',
  NOT_FOUND: 'NOT_FOUND',
  EMPTY_MESSAGE: 'EMPTY_MESSAGE',
  INVALID_PATH: 'INVALID_PATH',
  MISSING_HANDLER: 'MISSING_HANDLER',
  VALIDATION: 'VALIDATION',
  DECODE: 'DECODE',
  TIMEOUT: 'TIMEOUT',
  NO_REGISTRY: 'NO_REGISTRY',
  NO_NODES: 'NO_NODES',
  EMPTY_NODE_LIST: 'EMPTY_NODE_LIST',
  TRANSPORT_CLOSED: 'TRANSPORT_CLOSED',
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  INVALID_NAME: 'INVALID_NAME',
  CONFIG: 'CONFIG',
  MISSING_VARIABLE: 'MISSING_VARIABLE',
  INVALID_LOG_LEVEL: 'INVALID_LOG_LEVEL',
  PANIC: 'PANIC',
  DUPLICATE: 'DUPLICATE',
  CAPACITY: 'CAPACITY',
  CANCELLED: 'CANCELLED',
  INVALID_VALUE: 'INVALID_VALUE',
  PUBLISH_FAILED: 'PUBLISH_FAILED',
  QUEUE_FULL: 'QUEUE_FULL',
  REMOTE: 'REMOTE',
  RETRIES_EXHAUSTED: 'RETRIES_EXHAUSTED',
  NOT_A_DELIVERY: 'NOT_A_DELIVERY',
  TOPIC_LISTING: 'TOPIC_LISTING',
  DISCOVERY: 'DISCOVERY',
  MISSING_DEPENDENCY: 'MISSING_DEPENDENCY',
} as const;

/** Union of every {@link ErrorCode} value. */
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** Options every rxmini error accepts. */
export interface RxMiniErrorOptions {
  /** The error (or value) that caused this one. */
  readonly cause?: unknown;
}

/**
 * Base class of every error rxmini raises.
 *
 * @example
 * ```ts
 * import { RxMiniError, NotFoundError } from 'rxmini';
 * const err: RxMiniError = new NotFoundError('auth.login');
 * err.code; // 'NOT_FOUND'
 * ```
 */
export abstract class RxMiniError extends Error {
  /** Stable machine-readable code. */
  abstract readonly code: ErrorCode;

  constructor(message: string, options?: RxMiniErrorOptions) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
  }
}

/** True when `value` is an rxmini error, optionally with the given code. */
export const isRxMiniError = (value: unknown, code?: ErrorCode): value is RxMiniError =>
  value instanceof RxMiniError && (code === undefined || value.code === code);

/** A request was malformed in a way no more specific error describes. */
export class BadRequestError extends RxMiniError {
  readonly code = ErrorCode.BAD_REQUEST;
  constructor(message = 'invalid request', options?: RxMiniErrorOptions) {
    super(message, options);
  }
}

/** No route, action, conversation or resource exists under `key`. */
export class NotFoundError extends RxMiniError {
  readonly code = ErrorCode.NOT_FOUND;
  constructor(
    /** What was looked up (an action name, a context id, …). */
    readonly key: string,
    options?: RxMiniErrorOptions,
  ) {
    super(`not found: ${key}`, options);
  }
}

/** A message was missing (null, undefined or an empty frame). */
export class EmptyMessageError extends RxMiniError {
  readonly code = ErrorCode.EMPTY_MESSAGE;
  constructor(options?: RxMiniErrorOptions) {
    super('message cannot be empty', options);
  }
}

/**
 * A path that cannot be used: a message with no routable `node` (empty), or a
 * file name a receiver refuses to write (`reason` says why: a separator, `..`,
 * a control byte, a reserved name, …).
 */
export class InvalidPathError extends RxMiniError {
  readonly code = ErrorCode.INVALID_PATH;
  /** Why the path was refused, when more than "it is empty" (file names). */
  readonly reason: string | undefined;
  constructor(
    /** The path that could not be routed or used ('' when it was missing). */
    readonly path: string,
    options?: RxMiniErrorOptions & { readonly reason?: string },
  ) {
    super(
      options?.reason !== undefined
        ? `invalid path ${JSON.stringify(path)}: ${options.reason}`
        : path === ''
          ? 'invalid path: message node is empty'
          : `invalid path: ${path}`,
      options,
    );
    this.reason = options?.reason;
  }
}

/** A subscription or router received a message for which no handler exists. */
export class MissingHandlerError extends RxMiniError {
  readonly code = ErrorCode.MISSING_HANDLER;
  constructor(
    readonly topic: string,
    options?: RxMiniErrorOptions,
  ) {
    super(`no handler registered for topic ${topic}`, options);
  }
}

/** One failing field of a {@link ValidationError}. */
export interface FieldIssue {
  /** Dotted path of the field (`''` for the value itself). */
  readonly path: string;
  /** What was expected there, in words (`string`, `required`, `min:3`, …). */
  readonly expected: string;
  /** What was found (omitted when the value is missing). */
  readonly actual?: unknown;
  /** Human-readable explanation. */
  readonly message: string;
}

/** A value failed validation; `issues` lists every failing field, not just the first. */
export class ValidationError extends RxMiniError {
  readonly code = ErrorCode.VALIDATION;
  constructor(
    readonly issues: readonly FieldIssue[],
    options?: RxMiniErrorOptions & { readonly subject?: string },
  ) {
    const subject = options?.subject ?? 'value';
    super(`invalid ${subject}: ${issues.map((i) => i.message).join('; ')}`, options);
  }
}

/** Bytes or JSON could not be decoded into the expected shape. */
export class DecodeError extends RxMiniError {
  readonly code = ErrorCode.DECODE;
  constructor(
    /** Why decoding failed. */
    readonly reason: string,
    options?: RxMiniErrorOptions & { readonly issues?: readonly FieldIssue[] },
  ) {
    super(`cannot decode message: ${reason}`, options);
    this.issues = options?.issues ?? [];
  }
  /** Field-level failures, when the bytes were JSON of the wrong shape. */
  readonly issues: readonly FieldIssue[];
}

/** An operation did not complete within its time budget. */
export class TimeoutError extends RxMiniError {
  readonly code = ErrorCode.TIMEOUT;
  constructor(
    /** What timed out (an action, a publish, a drain, …). */
    readonly operation: string,
    /** The budget that ran out, in milliseconds. */
    readonly timeoutMs: number,
    options?: RxMiniErrorOptions,
  ) {
    super(`${operation} timed out after ${timeoutMs} ms`, options);
  }
}

/** The registry holds no services at all. */
export class NoRegistryError extends RxMiniError {
  readonly code = ErrorCode.NO_REGISTRY;
  constructor(options?: RxMiniErrorOptions) {
    super('registry is empty', options);
  }
}

/** No node of `service` is available (none registered, or none matched the filters). */
export class NoNodesError extends RxMiniError {
  readonly code = ErrorCode.NO_NODES;
  constructor(
    readonly service: string,
    options?: RxMiniErrorOptions,
  ) {
    super(`no service instance available for ${service}`, options);
  }
}

/** A registration carried no nodes. */
export class EmptyNodeListError extends RxMiniError {
  readonly code = ErrorCode.EMPTY_NODE_LIST;
  constructor(options?: RxMiniErrorOptions) {
    super('registry requires at least one node', options);
  }
}

/** The transport is closed (or closing) and takes no more work. */
export class TransportClosedError extends RxMiniError {
  readonly code = ErrorCode.TRANSPORT_CLOSED;
  constructor(
    readonly operation: string,
    options?: RxMiniErrorOptions,
  ) {
    super(`transport is closed: cannot ${operation}`, options);
  }
}

/** A payload is larger than the limit that applies to it. */
export class PayloadTooLargeError extends RxMiniError {
  readonly code = ErrorCode.PAYLOAD_TOO_LARGE;
  constructor(
    readonly size: number,
    readonly limit: number,
    options?: RxMiniErrorOptions,
  ) {
    super(`payload of ${size} bytes exceeds the limit of ${limit} bytes`, options);
  }
}

/** What an {@link InvalidNameError} is about: a topic or channel name, or the prefix of a prefix subscription. */
export type NameKind = 'topic' | 'channel' | 'prefix';

const NAME_RULE = 'must match ^[.a-zA-Z0-9_-]+(#ephemeral)?$ and be 1-64 characters';
const PREFIX_RULE = 'must be at most 64 characters of [.a-zA-Z0-9_-], optionally followed by one *';

/**
 * A topic or channel name NSQ would reject, or a topic prefix no valid topic
 * name could start with. `option` names the option that gave the name, when
 * the user did not type it as an argument (a dead-letter topic, say).
 *
 * @example
 * ```ts
 * import { InvalidNameError } from 'rxmini';
 * const err = new InvalidNameError('topic', 'a b', { option: 'deadLetterTopic' });
 * err.message; // 'invalid topic name "a b" from option deadLetterTopic: must match …'
 * ```
 */
export class InvalidNameError extends RxMiniError {
  readonly code = ErrorCode.INVALID_NAME;
  /** The option that gave the name, when it came from one. */
  readonly option: string | undefined;
  constructor(
    readonly kind: NameKind,
    readonly value: string,
    options?: RxMiniErrorOptions & { readonly option?: string },
  ) {
    const what = kind === 'prefix' ? 'topic prefix' : `${kind} name`;
    const from = options?.option === undefined ? '' : ` from option ${options.option}`;
    super(
      `invalid ${what} ${JSON.stringify(value)}${from}: ${kind === 'prefix' ? PREFIX_RULE : NAME_RULE}`,
      options,
    );
    this.option = options?.option;
  }
}

/**
 * The broker could not list its topics: no source answered (nsqlookupd's
 * `/topics`, or nsqd's `/stats` without lookupd). `cause` is the first reason.
 *
 * @example
 * ```ts
 * import { TopicListingError } from 'rxmini';
 * const err = new TopicListingError(['http://127.0.0.1:4151/stats'], { cause: new Error('fetch failed') });
 * err.message; // 'cannot list topics from http://127.0.0.1:4151/stats: fetch failed'
 * ```
 */
export class TopicListingError extends RxMiniError {
  readonly code = ErrorCode.TOPIC_LISTING;
  constructor(
    /** Every address that was asked, none of which answered. */
    readonly sources: readonly string[],
    options?: RxMiniErrorOptions,
  ) {
    const cause = options?.cause;
    super(
      `cannot list topics from ${sources.join(', ') || 'the broker'}: ${cause instanceof Error ? cause.message : String(cause)}`,
      options,
    );
  }
}

/**
 * A prefix subscription gave up: `failures` topic listings in a row failed
 * (its `maxListFailures`). `cause` is the last listing's error; `sources` are
 * the addresses it asked, when the broker said (a {@link TopicListingError}).
 *
 * @example
 * ```ts
 * import { DiscoveryError } from 'rxmini';
 * bus.subscribePrefix('orders.').subscribe({
 *   error: (e) => {
 *     if (e instanceof DiscoveryError) log.error(`no topic list for ${e.prefix} from ${e.sources.join(', ')}`);
 *   },
 * });
 * ```
 */
export class DiscoveryError extends RxMiniError {
  readonly code = ErrorCode.DISCOVERY;
  /** The addresses the last listing asked (empty when the broker did not say). */
  readonly sources: readonly string[];
  constructor(
    /** The prefix of the subscription. */
    readonly prefix: string,
    /** Failed listings in a row. */
    readonly failures: number,
    options?: RxMiniErrorOptions,
  ) {
    const cause = options?.cause;
    super(
      `prefix subscription ${JSON.stringify(prefix)} gave up after ${failures} failed topic listings in a row: ${cause instanceof Error ? cause.message : String(cause)}`,
      options,
    );
    this.sources = cause instanceof TopicListingError ? cause.sources : [];
  }
}

/** Configuration could not be loaded or is invalid. */
export class ConfigError extends RxMiniError {
  readonly code = ErrorCode.CONFIG;
  constructor(message: string, options?: RxMiniErrorOptions & { readonly issues?: readonly FieldIssue[] }) {
    super(message, options);
    this.issues = options?.issues ?? [];
  }
  /** Per-key failures, when the config failed schema validation. */
  readonly issues: readonly FieldIssue[];
}

/** A `${VAR}` in a config file names an unset variable and gives no default. */
export class MissingVariableError extends RxMiniError {
  readonly code = ErrorCode.MISSING_VARIABLE;
  constructor(
    readonly variable: string,
    options?: RxMiniErrorOptions & { readonly source?: string },
  ) {
    super(
      `environment variable ${variable} is not set and has no default (write \${${variable}:-value})` +
        (options?.source ? ` in ${options.source}` : ''),
      options,
    );
  }
}

/** A log level name that is not one of debug, info, warn, error. */
export class InvalidLogLevelError extends RxMiniError {
  readonly code = ErrorCode.INVALID_LOG_LEVEL;
  constructor(
    readonly level: string,
    options?: RxMiniErrorOptions,
  ) {
    super(`unknown log level ${JSON.stringify(level)} (expected debug, info, warn or error)`, options);
  }
}

/** A thrown value caught by the recover module, wrapped so it always is an Error. */
export class PanicError extends RxMiniError {
  readonly code = ErrorCode.PANIC;
  constructor(
    readonly label: string,
    cause: unknown,
  ) {
    super(`${label}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

/**
 * A retry policy gave a failed delivery up: out of attempts, or the error is not
 * retryable. `retryWithBackoff` hands it to the next failure handler (the dead
 * letter), which records the original error (`cause`) as the reason; a retry
 * policy further up the pipe passes it on rather than retrying again.
 *
 * @example
 * ```ts
 * import { RetriesExhaustedError } from 'rxmini';
 * const gaveUp = new RetriesExhaustedError(5, 5, { cause: new Error('db down') });
 * gaveUp.message; // 'gave up after 5 of 5 attempts: db down'
 * ```
 */
export class RetriesExhaustedError extends RxMiniError {
  readonly code = ErrorCode.RETRIES_EXHAUSTED;
  constructor(
    /** The delivery attempt that failed last. */
    readonly attempts: number,
    /** The policy's `maxAttempts`. */
    readonly maxAttempts: number,
    options?: RxMiniErrorOptions,
  ) {
    const cause = options?.cause;
    super(
      `gave up after ${attempts} of ${maxAttempts} attempts: ${cause instanceof Error ? cause.message : String(cause)}`,
      options,
    );
  }
}

/**
 * An operator over deliveries was given something that is not a delivery. The
 * usual cause is an object spread, `map((d) => ({ ...d, user }))`, which copies
 * the fields but not the acknowledgements (they live on the prototype): attach
 * values with `delivery.withContext({ user })` instead.
 *
 * @example
 * ```ts
 * import { NotADeliveryError } from 'rxmini';
 * const err = new NotADeliveryError('handleDeliveries');
 * err.code; // 'NOT_A_DELIVERY'
 * ```
 */
export class NotADeliveryError extends RxMiniError {
  readonly code = ErrorCode.NOT_A_DELIVERY;
  constructor(
    /** The operator that refused it. */
    readonly operator: string,
    options?: RxMiniErrorOptions,
  ) {
    super(
      `${operator} got a value that is not a Delivery: an object spread ({ ...delivery }) drops its ` +
        'acknowledgements; use delivery.withContext({ ... }) to attach values',
      options,
    );
  }
}
