import { pipe } from 'fp-ts/lib/function.js';
import * as O from 'fp-ts/lib/Option.js';
import {
  type JsonObject,
  type Message,
  deleteBodyValue,
  getBodyValue,
  getBool,
  getBoolOr,
  getFloat,
  getFloatOr,
  getHeader,
  getInt,
  getIntOr,
  getString,
  getStringOr,
  setBody,
  setBodyValue,
  setHeader,
  setRawBody,
} from '../../src/codec/index.js';

const withBody = (body: JsonObject): Message => ({ type: 'request', body });

describe('getBodyValue', () => {
  it('gives the value as it is, some(null) for an explicit null', () => {
    const msg = withBody({ tags: ['a'], nothing: null });
    expect(getBodyValue(msg, 'tags')).toEqual(O.some(['a']));
    expect(getBodyValue(msg, 'nothing')).toEqual(O.some(null));
  });

  it('is none without a body, without the key, or for inherited keys', () => {
    expect(getBodyValue({ type: 'request' }, 'a')).toEqual(O.none);
    for (const key of ['a', 'toString', 'constructor', '__proto__', 'hasOwnProperty']) {
      expect(getBodyValue(withBody({}), key))
        .withContext(key)
        .toEqual(O.none);
    }
  });
});

describe('getString', () => {
  const cases: [string, JsonObject[string], O.Option<string>][] = [
    ['string', 'ada', O.some('ada')],
    ['empty string', '', O.some('')],
    ['integer', 36, O.some('36')],
    ['float', 1.5, O.some('1.5')],
    ['true', true, O.some('true')],
    ['false', false, O.some('false')],
    ['array as JSON', [1, 'a'], O.some('[1,"a"]')],
    ['object as JSON', { a: 1 }, O.some('{"a":1}')],
    ['null', null, O.none],
  ];
  for (const [label, value, expected] of cases) {
    it(`converts ${label}`, () => {
      expect(getString(withBody({ v: value }), 'v')).toEqual(expected);
    });
  }

  it('gives none, never the string "null", for a missing key (the Go original\'s bug)', () => {
    expect(getString(withBody({}), 'missing')).toEqual(O.none);
    expect(getString({ type: 'request' }, 'missing')).toEqual(O.none);
  });

  it('works data-last in a pipe', () => {
    expect(pipe(withBody({ name: 'ada' }), getString('name'))).toEqual(O.some('ada'));
  });
});

describe('getInt', () => {
  const accepted: [JsonObject[string], number][] = [
    [42, 42],
    [-7, -7],
    [0, 0],
    [-0, 0],
    ['42', 42],
    ['-7', -7],
    ['+7', 7],
    ['007', 7],
    [Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
  ];
  for (const [value, expected] of accepted) {
    it(`reads ${JSON.stringify(value)} as ${expected}`, () => {
      const result = getInt(withBody({ v: value }), 'v');
      expect(result).toEqual(O.some(expected));
      expect(O.isSome(result) && Object.is(result.value, -0)).toBeFalse();
    });
  }

  const rejected: JsonObject[string][] = [
    1.5,
    -0.1,
    '1.5',
    '1e3',
    ' 4',
    '4 ',
    '',
    '0x10',
    'ten',
    2 ** 53,
    '9007199254740993',
    true,
    null,
    [1],
    { n: 1 },
  ];
  for (const value of rejected) {
    it(`does not truncate or guess: ${JSON.stringify(value)} is none`, () => {
      expect(getInt(withBody({ v: value }), 'v')).toEqual(O.none);
    });
  }

  it('is none for a missing key', () => {
    expect(getInt(withBody({}), 'v')).toEqual(O.none);
  });
});

describe('getFloat', () => {
  const accepted: [JsonObject[string], number][] = [
    [1.5, 1.5],
    [3, 3],
    ['0.75', 0.75],
    ['-2', -2],
    ['.5', 0.5],
    ['5.', 5],
    ['-1e3', -1000],
    ['2.5E-1', 0.25],
  ];
  for (const [value, expected] of accepted) {
    it(`reads ${JSON.stringify(value)} as ${expected}`, () => {
      expect(getFloat(withBody({ v: value }), 'v')).toEqual(O.some(expected));
    });
  }

  const rejected: JsonObject[string][] = [
    '',
    ' ',
    '0x10',
    'Infinity',
    'NaN',
    '1e400',
    '1,5',
    '.',
    'e5',
    false,
    null,
    [],
  ];
  for (const value of rejected) {
    it(`gives none for ${JSON.stringify(value)}`, () => {
      expect(getFloat(withBody({ v: value }), 'v')).toEqual(O.none);
    });
  }
});

describe('getBool', () => {
  for (const value of [true, 'true', 'True', 'TRUE', 't', 'T', '1']) {
    it(`reads ${JSON.stringify(value)} as true`, () => {
      expect(getBool(withBody({ v: value }), 'v')).toEqual(O.some(true));
    });
  }
  for (const value of [false, 'false', 'False', 'FALSE', 'f', 'F', '0']) {
    it(`reads ${JSON.stringify(value)} as false`, () => {
      expect(getBool(withBody({ v: value }), 'v')).toEqual(O.some(false));
    });
  }
  for (const value of [1, 0, 'yes', 'no', '', 'tRUE', null, {}]) {
    it(`gives none for ${JSON.stringify(value)}`, () => {
      expect(getBool(withBody({ v: value }), 'v')).toEqual(O.none);
    });
  }
});

describe('get…Or', () => {
  const msg = withBody({ name: 'ada', age: '36', ratio: '0.5', admin: 'true', bad: 'x' });

  it('gives the converted value when there is one', () => {
    expect(getStringOr(msg, 'name', 'x')).toBe('ada');
    expect(getIntOr(msg, 'age', 0)).toBe(36);
    expect(getFloatOr(msg, 'ratio', 0)).toBe(0.5);
    expect(getBoolOr(msg, 'admin', false)).toBeTrue();
  });

  it('gives the fallback for missing or unconvertible values', () => {
    expect(getStringOr(msg, 'missing', 'x')).toBe('x');
    expect(getIntOr(msg, 'bad', 7)).toBe(7);
    expect(getFloatOr(msg, 'bad', 0.1)).toBe(0.1);
    expect(getBoolOr(msg, 'bad', true)).toBeTrue();
  });

  it('works data-last in a pipe', () => {
    expect(pipe(msg, getIntOr('age', 0))).toBe(36);
    expect(pipe(msg, getStringOr('missing', 'x'))).toBe('x');
    expect(pipe(msg, getFloatOr('ratio', 0))).toBe(0.5);
    expect(pipe(msg, getBoolOr('missing', true))).toBeTrue();
  });
});

describe('setBodyValue', () => {
  it('returns a new message with the key set and leaves the original alone', () => {
    const before = withBody({ a: 1 });
    const after = setBodyValue(before, 'b', [2]);
    expect(after).toEqual(withBody({ a: 1, b: [2] }));
    expect(before).toEqual(withBody({ a: 1 }));
    expect(after.body).not.toBe(before.body);
  });

  it('creates the body when there is none', () => {
    expect(setBodyValue({ type: 'event' }, 'a', 1)).toEqual({ type: 'event', body: { a: 1 } });
  });

  it('stores a __proto__ key as data, never as a prototype', () => {
    const after = setBodyValue({ type: 'event' }, '__proto__', { polluted: true });
    expect(Object.getPrototypeOf(after.body)).toBe(Object.prototype);
    expect(getBodyValue(after, '__proto__')).toEqual(O.some({ polluted: true }));
  });

  it('works data-last in a pipe', () => {
    expect(pipe(withBody({}), setBodyValue('a', 'x'), getString('a'))).toEqual(O.some('x'));
  });
});

describe('deleteBodyValue', () => {
  it('returns a new message without the key', () => {
    const before = withBody({ a: 1, b: 2 });
    expect(deleteBodyValue(before, 'a')).toEqual(withBody({ b: 2 }));
    expect(before).toEqual(withBody({ a: 1, b: 2 }));
  });

  it('returns the message unchanged when the key is absent', () => {
    const msg = withBody({ a: 1 });
    expect(deleteBodyValue(msg, 'toString')).toBe(msg);
    expect(pipe(msg, deleteBodyValue('z'))).toBe(msg);
  });
});

describe('setBody and setRawBody', () => {
  it('replace the body or the raw bytes in a new message', () => {
    const before = withBody({ a: 1 });
    const bytes = new Uint8Array([1, 2]);
    expect(setBody(before, { b: 2 }).body).toEqual({ b: 2 });
    expect(pipe(before, setRawBody(bytes))).toEqual({ ...before, rawBody: bytes });
    expect(before).toEqual(withBody({ a: 1 }));
  });
});

describe('headers', () => {
  it('reads a header, none when absent or inherited', () => {
    const msg: Message = { type: 'event', header: { traceparent: 't1' } };
    expect(getHeader(msg, 'traceparent')).toEqual(O.some('t1'));
    expect(getHeader(msg, 'x-deadline')).toEqual(O.none);
    expect(getHeader(msg, 'constructor')).toEqual(O.none);
    expect(getHeader({ type: 'event' }, 'traceparent')).toEqual(O.none);
  });

  it('matches keys exactly', () => {
    expect(getHeader({ type: 'event', header: { Traceparent: 't1' } }, 'traceparent')).toEqual(O.none);
  });

  it('sets a header in a new message, creating the map when needed', () => {
    const before: Message = { type: 'event', header: { a: '1' } };
    expect(setHeader(before, 'b', '2').header).toEqual({ a: '1', b: '2' });
    expect(before.header).toEqual({ a: '1' });
    expect(pipe({ type: 'event' }, setHeader('x-attempts', '1'), getHeader('x-attempts'))).toEqual(
      O.some('1'),
    );
  });
});
