import { isRight } from 'fp-ts/lib/Either.js';
import fc from 'fast-check';
import * as t from 'io-ts';
import { passesAsItself } from '../../src/codec/passesAsItself';

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
];

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
