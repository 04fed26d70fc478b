import {
  BadRequestError,
  ConfigError,
  DecodeError,
  DiscoveryError,
  EmptyMessageError,
  EmptyNodeListError,
  ErrorCode,
  type FieldIssue,
  InvalidLogLevelError,
  InvalidNameError,
  InvalidPathError,
  MissingHandlerError,
  MissingVariableError,
  NoNodesError,
  NoRegistryError,
  NotFoundError,
  PanicError,
  PayloadTooLargeError,
  RxMiniError,
  TimeoutError,
  TopicListingError,
  TransportClosedError,
  ValidationError,
  isRxMiniError,
} from '../src/errors.js';

const cause = new Error('root cause');
const issues: FieldIssue[] = [
  { path: 'email', expected: 'required', message: 'email: required' },
  { path: 'age', expected: 'number', actual: 'x', message: 'age: expected number' },
];

interface Case {
  readonly make: (withCause: boolean) => RxMiniError;
  readonly name: string;
  readonly code: ErrorCode;
  readonly message: string;
  readonly fields: Record<string, unknown>;
}

const opts = (withCause: boolean) => (withCause ? { cause } : undefined);

const cases: Case[] = [
  {
    make: (c) => new BadRequestError(undefined, opts(c)),
    name: 'BadRequestError',
    code: 'BAD_REQUEST',
    message: 'invalid request',
    fields: {},
  },
  {
    make: (c) => new NotFoundError('auth.login', opts(c)),
    name: 'NotFoundError',
    code: 'NOT_FOUND',
    message: 'not found: auth.login',
    fields: { key: 'auth.login' },
  },
  {
    make: (c) => new EmptyMessageError(opts(c)),
    name: 'EmptyMessageError',
    code: 'EMPTY_MESSAGE',
    message: 'message cannot be empty',
    fields: {},
  },
  {
    make: (c) => new InvalidPathError('a..b', opts(c)),
    name: 'InvalidPathError',
    code: 'INVALID_PATH',
    message: 'invalid path: a..b',
    fields: { path: 'a..b' },
  },
  {
    make: (c) => new MissingHandlerError('orders', opts(c)),
    name: 'MissingHandlerError',
    code: 'MISSING_HANDLER',
    message: 'no handler registered for topic orders',
    fields: { topic: 'orders' },
  },
  {
    make: (c) => new ValidationError(issues, { ...opts(c), subject: 'input' }),
    name: 'ValidationError',
    code: 'VALIDATION',
    message: 'invalid input: email: required; age: expected number',
    fields: { issues },
  },
  {
    make: (c) => new DecodeError('invalid JSON', { ...opts(c), issues }),
    name: 'DecodeError',
    code: 'DECODE',
    message: 'cannot decode message: invalid JSON',
    fields: { reason: 'invalid JSON', issues },
  },
  {
    make: (c) => new TimeoutError('auth.login', 1500, opts(c)),
    name: 'TimeoutError',
    code: 'TIMEOUT',
    message: 'auth.login timed out after 1500 ms',
    fields: { operation: 'auth.login', timeoutMs: 1500 },
  },
  {
    make: (c) => new NoRegistryError(opts(c)),
    name: 'NoRegistryError',
    code: 'NO_REGISTRY',
    message: 'registry is empty',
    fields: {},
  },
  {
    make: (c) => new NoNodesError('auth', opts(c)),
    name: 'NoNodesError',
    code: 'NO_NODES',
    message: 'no service instance available for auth',
    fields: { service: 'auth' },
  },
  {
    make: (c) => new EmptyNodeListError(opts(c)),
    name: 'EmptyNodeListError',
    code: 'EMPTY_NODE_LIST',
    message: 'registry requires at least one node',
    fields: {},
  },
  {
    make: (c) => new TransportClosedError('publish', opts(c)),
    name: 'TransportClosedError',
    code: 'TRANSPORT_CLOSED',
    message: 'transport is closed: cannot publish',
    fields: { operation: 'publish' },
  },
  {
    make: (c) => new PayloadTooLargeError(3_000_000, 1_048_576, opts(c)),
    name: 'PayloadTooLargeError',
    code: 'PAYLOAD_TOO_LARGE',
    message: 'payload of 3000000 bytes exceeds the limit of 1048576 bytes',
    fields: { size: 3_000_000, limit: 1_048_576 },
  },
  {
    make: (c) => new InvalidNameError('topic', 'bad name', opts(c)),
    name: 'InvalidNameError',
    code: 'INVALID_NAME',
    message:
      'invalid topic name "bad name": must match ^[.a-zA-Z0-9_-]+(#ephemeral)?$ and be 1-64 characters',
    fields: { kind: 'topic', value: 'bad name', option: undefined },
  },
  {
    make: (c) => new InvalidNameError('topic', 'a b', { ...opts(c), option: 'deadLetterTopic' }),
    name: 'InvalidNameError',
    code: 'INVALID_NAME',
    message:
      'invalid topic name "a b" from option deadLetterTopic: must match ^[.a-zA-Z0-9_-]+(#ephemeral)?$ and be 1-64 characters',
    fields: { kind: 'topic', value: 'a b', option: 'deadLetterTopic' },
  },
  {
    make: (c) => new InvalidNameError('prefix', 'bad prefix', opts(c)),
    name: 'InvalidNameError',
    code: 'INVALID_NAME',
    message:
      'invalid topic prefix "bad prefix": must be at most 64 characters of [.a-zA-Z0-9_-], optionally followed by one *',
    fields: { kind: 'prefix', value: 'bad prefix' },
  },
  {
    make: (c) => new TopicListingError(['http://h:1/stats'], opts(c)),
    name: 'TopicListingError',
    code: 'TOPIC_LISTING',
    message: 'cannot list topics from http://h:1/stats: undefined',
    fields: { sources: ['http://h:1/stats'] },
  },
  {
    make: (c) => new DiscoveryError('orders.', 3, opts(c)),
    name: 'DiscoveryError',
    code: 'DISCOVERY',
    message: 'prefix subscription "orders." gave up after 3 failed topic listings in a row: undefined',
    fields: { prefix: 'orders.', failures: 3, sources: [] },
  },
  {
    make: (c) => new ConfigError('bad config', { ...opts(c), issues }),
    name: 'ConfigError',
    code: 'CONFIG',
    message: 'bad config',
    fields: { issues },
  },
  {
    make: (c) => new MissingVariableError('TOKEN', { ...opts(c), source: 'config.json' }),
    name: 'MissingVariableError',
    code: 'MISSING_VARIABLE',
    message:
      'environment variable TOKEN is not set and has no default (write ${TOKEN:-value}) in config.json',
    fields: { variable: 'TOKEN' },
  },
  {
    make: (c) => new InvalidLogLevelError('loud', opts(c)),
    name: 'InvalidLogLevelError',
    code: 'INVALID_LOG_LEVEL',
    message: 'unknown log level "loud" (expected debug, info, warn or error)',
    fields: { level: 'loud' },
  },
];

describe('errors', () => {
  for (const { make, name, code, message, fields } of cases) {
    describe(name, () => {
      it('is an Error and an RxMiniError with name equal to its class name', () => {
        const error = make(false);
        expect(error).toBeInstanceOf(Error);
        expect(error).toBeInstanceOf(RxMiniError);
        expect(error.name).toBe(name);
        expect(error.constructor.name).toBe(name);
        expect(String(error)).toBe(`${name}: ${message}`);
      });

      it(`has code ${code} and its message`, () => {
        const error = make(false);
        expect(error.code).toBe(code);
        expect(error.message).toBe(message);
      });

      it('passes the cause through, and has none when not given one', () => {
        expect(make(true).cause).toBe(cause);
        const without = make(false);
        expect(without.cause).toBeUndefined();
        expect('cause' in without).toBeFalse();
      });

      it('carries its structured fields', () => {
        const error = make(false) as unknown as Record<string, unknown>;
        for (const [key, value] of Object.entries(fields)) expect(error[key]).withContext(key).toEqual(value);
      });

      it('has a stack trace', () => {
        expect(make(false).stack).toContain(name);
      });
    });
  }

  it('gives each class its own code, every one of them an ErrorCode value', () => {
    // one code per class (a class may have several cases above)
    const byClass = new Map(cases.map((c) => [c.name, c.make(false).code]));
    const codes = [...byClass.values(), new PanicError('x', 1).code];
    expect(new Set(codes).size).toBe(codes.length);
    const known: readonly string[] = Object.values(ErrorCode);
    for (const code of codes) expect(known).toContain(code);
  });

  it('has ErrorCode values equal to their keys', () => {
    for (const [key, value] of Object.entries(ErrorCode)) expect(value).toBe(key as ErrorCode);
  });
});

describe('InvalidPathError', () => {
  it('has its own text, not the copy-pasted "registry requires at least one node"', () => {
    expect(new InvalidPathError('').message).toBe('invalid path: message node is empty');
    expect(new InvalidPathError('').message).not.toBe(new EmptyNodeListError().message);
    expect(new InvalidPathError('x').message).not.toContain('registry');
  });

  it('keeps the empty path as a field', () => {
    expect(new InvalidPathError('').path).toBe('');
  });
});

describe('ValidationError', () => {
  it('lists every issue in its message, in order', () => {
    const error = new ValidationError(issues);
    expect(error.message).toBe('invalid value: email: required; age: expected number');
    expect(error.issues).toEqual(issues);
  });

  it('names the subject when given one', () => {
    expect(new ValidationError(issues, { subject: 'message' }).message).toMatch(/^invalid message: /);
  });
});

describe('DecodeError and ConfigError', () => {
  it('default to no issues', () => {
    expect(new DecodeError('x').issues).toEqual([]);
    expect(new ConfigError('x').issues).toEqual([]);
  });
});

describe('PanicError', () => {
  it('wraps an Error, keeping it as cause and its message in the text', () => {
    const error = new PanicError('handler', cause);
    expect(error.name).toBe('PanicError');
    expect(error.code).toBe('PANIC');
    expect(error.label).toBe('handler');
    expect(error.message).toBe('handler: root cause');
    expect(error.cause).toBe(cause);
  });

  it('wraps a thrown non-Error as text', () => {
    const error = new PanicError('job', 'boom');
    expect(error.message).toBe('job: boom');
    expect(error.cause).toBe('boom');
  });

  it('treats a thrown undefined as no cause, but still names it in the text', () => {
    expect('cause' in new PanicError('job', undefined)).toBeFalse();
    expect(new PanicError('job', undefined).message).toBe('job: undefined');
  });
});

describe('isRxMiniError', () => {
  it('is true for any rxmini error, and checks the code when given', () => {
    const error = new TimeoutError('op', 1);
    expect(isRxMiniError(error)).toBeTrue();
    expect(isRxMiniError(error, ErrorCode.TIMEOUT)).toBeTrue();
    expect(isRxMiniError(error, ErrorCode.NOT_FOUND)).toBeFalse();
  });

  it('is false for other errors and non-errors, even look-alikes', () => {
    const lookAlike = Object.assign(new Error('x'), { code: 'TIMEOUT', name: 'TimeoutError' });
    for (const value of [new Error('x'), lookAlike, { code: 'TIMEOUT' }, null, undefined, 'TIMEOUT']) {
      expect(isRxMiniError(value)).toBeFalse();
    }
  });

  it('narrows the type', () => {
    const value: unknown = new NotFoundError('k');
    expect(isRxMiniError(value) ? value.code : 'none').toBe('NOT_FOUND');
  });
});

describe('DiscoveryError', () => {
  it('takes the sources of the listing error that caused it', () => {
    const listing = new TopicListingError(['http://h:1/stats'], { cause: new Error('fetch failed') });
    const error = new DiscoveryError('p.', 2, { cause: listing });
    expect(error.sources).toEqual(['http://h:1/stats']);
    expect(error.message).toBe(
      'prefix subscription "p." gave up after 2 failed topic listings in a row: cannot list topics from http://h:1/stats: fetch failed',
    );
  });
});
