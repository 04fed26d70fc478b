import { isRight } from 'fp-ts/lib/Either.js';
import fc from 'fast-check';
import * as t from 'io-ts';
import { itselfCheckOf, passesAsItself } from '../../src/codec/passesAsItself';

const Positive = t.brand(
  t.number,
  (n): n is t.Branded<number, { readonly Positive: unique symbol }> => n > 0,
  'Positive',
);

/** Codecs of io-ts's own non-converting kinds, nested. */
const plainCodecs: readonly t.Mixed[] = [
  t.type({ a: t.number, s: t.string }),
  t.partial({ n: t.union([t.number, t.null]), tags: t.array(t.string) }),
  t.type({ kind: t.keyof({ a: null, b: null }), lit: t.literal('x'), ok: t.boolean, any: t.unknown }),
  t.type({ inner: t.readonly(t.type({ p: Positive, list: t.readonlyArray(t.Int) })) }),
  t.type({ maybe: t.union([t.undefined, t.string]) }),
  t.partial({ s: t.string, n: t.number, b: t.boolean, u: t.unknown, none: t.null }),
];

/** A `t.type` of more fields than a chain of field checks is made for (they are checked in a loop). */
const wide = t.type(
  Object.fromEntries(
    Array.from({ length: 80 }, (_, i) => [
      `f${i}`,
      [t.string, t.number, t.boolean, t.null][i % 4] as t.Mixed,
    ]),
  ),
);

describe('codec/passesAsItself', () => {
  it('is true only where decode succeeds with the value itself (false means: decode to know)', () => {
    const value = fc.anything({ maxDepth: 3, withNullPrototype: false });
    const shaped = fc.record({
      a: fc.oneof(fc.integer(), fc.string()),
      s: fc.oneof(fc.string(), fc.integer()),
      n: fc.oneof(fc.integer(), fc.constant(null), fc.string()),
      tags: fc.array(fc.oneof(fc.string(), fc.integer())),
      kind: fc.constantFrom('a', 'b', 'c'),
      lit: fc.constantFrom('x', 'y'),
      ok: fc.oneof(fc.boolean(), fc.integer()),
      inner: fc.record({
        p: fc.integer({ min: -2, max: 2 }),
        list: fc.array(fc.oneof(fc.integer(), fc.double())),
      }),
      maybe: fc.option(fc.string(), { nil: undefined }),
    });
    fc.assert(
      fc.property(fc.constantFrom(...plainCodecs), fc.oneof(value, shaped), (codec, input) => {
        const decoded = codec.decode(input);
        if (passesAsItself(codec, input)) {
          expect(isRight(decoded)).toBeTrue();
          if (isRight(decoded)) expect(decoded.right).toBe(input);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it("checks as the codec's own `is` does, for every codec that decodes to itself", () => {
    const field = fc.oneof(
      fc.string(),
      fc.integer(),
      fc.double(),
      fc.boolean(),
      fc.constant(null),
      fc.constant(undefined),
      fc.array(fc.oneof(fc.string(), fc.integer())),
      fc.sparseArray(fc.string()),
    );
    const keys = [
      'a',
      's',
      'n',
      'b',
      'u',
      'none',
      'tags',
      'kind',
      'lit',
      'ok',
      'any',
      'maybe',
      'f0',
      'f1',
      'f2',
    ];
    // objects with some of the codecs' keys, each present, absent, or present as undefined
    const shaped = fc.dictionary(fc.constantFrom(...keys), field);
    const wideValue = fc
      .array(fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null)), {
        minLength: 80,
        maxLength: 80,
      })
      .map((values) => Object.fromEntries(values.map((v, i) => [`f${i}`, v])));
    const value = fc.oneof(fc.anything({ maxDepth: 3 }), shaped, wideValue);
    fc.assert(
      fc.property(fc.constantFrom(...plainCodecs, wide), value, (codec, input) => {
        const check = itselfCheckOf(codec);
        expect(check).toBeDefined();
        expect(check?.(input)).toBe(codec.is(input));
      }),
      { numRuns: 3000 },
    );
  });

  it('makes one check per codec, and none for a codec that may convert', () => {
    const codec = t.type({ a: t.number });
    expect(itselfCheckOf(codec)).toBe(itselfCheckOf(codec));
    expect(itselfCheckOf(t.exact(t.type({ a: t.number })))).toBeUndefined();
    expect(itselfCheckOf(t.type({ n: t.type({ e: t.exact(t.type({})) }) }))).toBeUndefined();
  });

  it('says true for a valid body of a plain codec, false for an invalid one', () => {
    const codec = t.type({ a: t.number, s: t.string, tags: t.array(t.string) });
    expect(passesAsItself(codec, { a: 1, s: 'x', tags: ['a'] })).toBeTrue();
    expect(passesAsItself(codec, { a: '1', s: 'x', tags: ['a'] })).toBeFalse();
    expect(passesAsItself(codec, { a: 1, s: 'x', tags: [1] })).toBeFalse();
  });

  it('leaves a missing optional key to decode (io-ts `is` wants it present; decode takes it as undefined)', () => {
    const codec = t.type({ maybe: t.union([t.undefined, t.string]) });
    expect(isRight(codec.decode({}))).toBeTrue();
    expect(passesAsItself(codec, {})).toBeFalse();
  });

  it('leaves converting codecs to decode, even when `is` holds', () => {
    const NumberFromString = new t.Type<number, string, unknown>(
      'NumberFromString',
      t.number.is,
      (u, c) =>
        typeof u === 'string' && u !== '' && !Number.isNaN(Number(u))
          ? t.success(Number(u))
          : t.failure(u, c),
      String,
    );
    const codec = t.type({ n: NumberFromString });
    // `is` holds for { n: 1 } (a number) but decode refuses it (it wants a string)
    expect(codec.is({ n: 1 })).toBeTrue();
    expect(isRight(codec.decode({ n: 1 }))).toBeFalse();
    expect(passesAsItself(codec, { n: 1 })).toBeFalse();
  });

  it('leaves exact types (which strip keys) and intersections to decode', () => {
    expect(passesAsItself(t.exact(t.type({ a: t.number })), { a: 1, extra: 2 })).toBeFalse();
    expect(
      passesAsItself(t.intersection([t.type({ a: t.number }), t.type({ b: t.string })]), { a: 1, b: 'x' }),
    ).toBeFalse();
  });

  it('leaves recursive codecs to decode', () => {
    interface Tree {
      readonly children: readonly Tree[];
    }
    const Tree: t.Type<Tree> = t.recursion('Tree', () => t.type({ children: t.readonlyArray(Tree) }));
    expect(passesAsItself(Tree, { children: [] })).toBeFalse();
  });
});
