import * as E from 'fp-ts/lib/Either.js';
import { JsonObject, JsonValue, isJsonValue } from '../../src/codec/index.js';
import { MAX_JSON_DEPTH } from '../../src/constant/index.js';

/** `levels` arrays, each inside the next. */
const nested = (levels: number): unknown => {
  let value: unknown = [];
  for (let i = 1; i < levels; i++) value = [value];
  return value;
};

describe('isJsonValue', () => {
  it('accepts every JSON shape', () => {
    const samples: unknown[] = [
      null,
      true,
      false,
      0,
      -0,
      1.5,
      -1e300,
      '',
      'text',
      [],
      {},
      [1, 'a', null, { b: [] }],
    ];
    for (const value of samples) expect(isJsonValue(value)).withContext(JSON.stringify(value)).toBeTrue();
  });

  it('accepts objects without a prototype and shared (non-circular) sub-objects', () => {
    const shared = { x: 1 };
    expect(isJsonValue(Object.assign(Object.create(null) as object, { a: 1 }))).toBeTrue();
    expect(isJsonValue({ a: shared, b: [shared, shared] })).toBeTrue();
  });

  it('rejects what JSON cannot carry back unchanged', () => {
    const samples: [string, unknown][] = [
      ['undefined', undefined],
      ['NaN', NaN],
      ['Infinity', Infinity],
      ['bigint', 1n],
      ['function', () => 1],
      ['symbol', Symbol('s')],
      ['Date', new Date(0)],
      ['Map', new Map()],
      ['Uint8Array', new Uint8Array(1)],
      ['class instance', new (class Point {})()],
      ['nested undefined', { a: [1, undefined] }],
      ['sparse array', Object.assign(new Array<number>(3), { 0: 1, 2: 3 })],
    ];
    for (const [label, value] of samples) expect(isJsonValue(value)).withContext(label).toBeFalse();
  });

  it('rejects cycles instead of overflowing the stack', () => {
    const cycle: Record<string, unknown> = {};
    cycle['self'] = cycle;
    expect(isJsonValue(cycle)).toBeFalse();
  });

  it(`accepts nesting up to MAX_JSON_DEPTH (${MAX_JSON_DEPTH}) and rejects one level more`, () => {
    expect(isJsonValue(nested(MAX_JSON_DEPTH))).toBeTrue();
    expect(isJsonValue(nested(MAX_JSON_DEPTH + 1))).toBeFalse();
  });

  it('checks large values in full: a bad value after 20,000 good ones is found', () => {
    const large: unknown[] = Array.from({ length: 20_000 }, (_, i) => ({ i }));
    expect(isJsonValue(large)).toBeTrue();
    large.push({ bad: NaN });
    expect(isJsonValue(large)).toBeFalse();
    expect(JsonValue.decode(large)).toEqual(E.left([jasmine.objectContaining({ value: NaN })]));
  });

  it('checks heavily shared values in linear time (2^60 paths through 60 shared levels)', () => {
    let shared: unknown = { leaf: true };
    for (let i = 0; i < 60; i++) shared = [shared, shared];
    expect(isJsonValue(shared)).toBeTrue();
    expect(isJsonValue({ ok: shared, bad: [shared, undefined] })).toBeFalse();
  });

  it('rejects very deep input quickly instead of overflowing the stack', () => {
    const deep: unknown = JSON.parse('['.repeat(200_000) + ']'.repeat(200_000));
    expect(isJsonValue(deep)).toBeFalse();
  });
});

describe('JsonValue codec', () => {
  it('returns the same value on success', () => {
    const value = { a: [1, 2] };
    const result = JsonValue.decode(value);
    expect(E.isRight(result) ? (result.right as unknown) : undefined).toBe(value);
  });

  it('reports every non-JSON place with its path', () => {
    const result = JsonValue.decode({ a: [1, NaN], b: { c: undefined }, d: 'ok' });
    const paths = E.isLeft(result) ? result.left.map((e) => e.context.map((c) => c.key).join('.')) : [];
    expect(paths).toEqual(['.a.1', '.b.c']);
  });

  it('names a cycle by where it closes', () => {
    const cycle: Record<string, unknown> = { ok: 1 };
    cycle['loop'] = { back: cycle };
    const result = JsonValue.decode(cycle);
    expect(E.isLeft(result) ? result.left.map((e) => e.message) : []).toEqual(['circular reference']);
  });
});

describe('JsonObject codec', () => {
  it('accepts plain objects only', () => {
    expect(JsonObject.is({ a: 1 })).toBeTrue();
    for (const value of [[1], null, 'x', 1, new Date(0)]) expect(JsonObject.is(value)).toBeFalse();
  });

  it('explains a non-object', () => {
    const result = JsonObject.decode([1]);
    expect(E.isLeft(result) ? result.left[0]?.message : '').toBe('expected a JSON object, got array');
  });
});
