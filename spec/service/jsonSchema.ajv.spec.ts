/**
 * The converter's schemas against real JSON Schema validation (ajv, draft
 * 2020-12): what a codec or a field list accepts, ajv finds valid; what it
 * refuses, ajv finds invalid. ajv is a devDependency: only specs import it.
 * It bundles for the browser, so this spec runs there too.
 */
import Ajv2020 from 'ajv/dist/2020';
import fc from 'fast-check';
import { isRight } from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import type { JsonValue } from '../../src/codec/json.js';
import { fieldsCodec, type InputSchemaField } from '../../src/service/fields.js';
import { toJsonSchema } from '../../src/service/jsonSchema.js';

// strict: a keyword ajv does not know fails the compile. Not strictTuples (a tuple's extra
// components are dropped by io-ts, so it has no maxItems) nor strictTypes (a field of type
// `any` puts minimum and minLength side by side, each for its own JSON type).
const ajv = new Ajv2020({ strict: true, strictTuples: false, strictTypes: false });

interface Case {
  readonly name: string;
  readonly codec: t.Decoder<unknown, unknown>;
  readonly accepted: readonly JsonValue[];
  readonly refused: readonly JsonValue[];
}

const invite: readonly InputSchemaField[] = [
  { name: 'email', type: 'string', required: true, pattern: '^[^@]+@[^@]+$' },
  { name: 'age', type: 'integer', min: 18 },
  { name: 'plan', type: 'string', enum: ['free', 'pro'], message: 'pick a plan' },
];

const sizes: readonly InputSchemaField[] = [
  { name: 'code', type: 'string', min: 2, max: 3 },
  { name: 'list', type: 'array', min: 1, max: 2 },
  { name: 'x', type: 'any', required: true, max: 3 },
  { name: 'ratio', type: 'number', min: -1, max: 1 },
  { name: 'flag', type: 'boolean' },
  { name: 'meta', type: 'object' },
];

const Signup = t.type({ email: t.string, age: t.number, plan: t.keyof({ free: null, pro: null }) });

const cases: readonly Case[] = [
  {
    name: 'type with keyof',
    codec: Signup,
    accepted: [
      { email: 'a@b', age: 30, plan: 'free' },
      { email: '', age: -1.5, plan: 'pro', extra: [1] },
    ],
    refused: [
      {},
      { email: 1, age: 30, plan: 'free' },
      { email: 'a@b', age: '30', plan: 'free' },
      { email: 'a@b', age: 30, plan: 'gold' },
      { email: 'a@b', age: 30 },
      [],
      null,
      'signup',
    ],
  },
  {
    name: 'intersection of type and partial, Int, array, nullable union',
    codec: t.intersection([
      t.type({ id: t.Int }),
      t.partial({ tags: t.array(t.string), note: t.union([t.string, t.null]) }),
    ]),
    accepted: [{ id: 1 }, { id: 2, tags: ['a', 'b'], note: null }, { id: -3, tags: [], note: 'n' }],
    refused: [{ id: 1.5 }, { id: 1, tags: [1] }, { id: 1, note: 3 }, { tags: [] }, { id: '1' }],
  },
  {
    name: 'optional key by union with undefined',
    codec: t.type({ a: t.string, b: t.union([t.boolean, t.undefined]) }),
    accepted: [{ a: '' }, { a: 'x', b: true }],
    refused: [{ b: true }, { a: 'x', b: null }, { a: 'x', b: 'yes' }],
  },
  {
    name: 'strict and exact (unknown keys are dropped, so accepted)',
    codec: t.intersection([t.strict({ a: t.literal(1) }), t.exact(t.partial({ b: t.literal('b') }))]),
    accepted: [{ a: 1 }, { a: 1, b: 'b' }, { a: 1, c: 'anything' }],
    refused: [{ a: 2 }, {}, { a: 1, b: 'c' }, { a: '1' }],
  },
  {
    name: 'record by string',
    codec: t.record(t.string, t.number),
    accepted: [{}, { x: 1, y: -2.5 }],
    refused: [{ x: '1' }, { x: null }, [], 3],
  },
  {
    name: 'record by a finite domain',
    codec: t.record(t.keyof({ x: null, y: null }), t.boolean),
    accepted: [
      { x: true, y: false },
      { x: true, y: true, z: 1 },
    ],
    refused: [{ x: true }, { x: true, y: 'no' }, {}],
  },
  {
    name: 'tuple (extra components are dropped, so accepted)',
    codec: t.tuple([t.string, t.number]),
    accepted: [
      ['a', 1],
      ['a', 1, 'extra'],
    ],
    refused: [['a'], [1, 'a'], [], { 0: 'a', 1: 1 }],
  },
  {
    name: 'union of literal, number and null',
    codec: t.union([t.literal('a'), t.number, t.null]),
    accepted: ['a', 3, -0.5, null],
    refused: ['b', true, {}, []],
  },
  {
    name: 'readonlyArray of UnknownRecord',
    codec: t.readonlyArray(t.UnknownRecord),
    accepted: [[], [{}, { a: [1] }]],
    refused: [[[]], [1], [null], {}],
  },
  {
    name: 'UnknownArray, unknown',
    codec: t.type({ list: t.UnknownArray, any: t.unknown }),
    accepted: [{ list: [] }, { list: [1, 'a', null], any: { deep: [true] } }],
    refused: [{ list: {} }, { any: 1 }],
  },
  {
    name: 'the invite field list (required, pattern, integer min, enum)',
    codec: fieldsCodec(invite),
    accepted: [
      { email: 'a@b' },
      { email: 'a@b', age: 18, plan: 'pro' },
      { email: 'a@b', age: null, plan: '' },
      { email: 'a@b', age: 130.0, other: { kept: true } },
    ],
    refused: [
      {},
      { email: '' },
      { email: null },
      { email: 'nobody' },
      { email: 'a@b', age: 17 },
      { email: 'a@b', age: 18.5 },
      { email: 'a@b', age: '18' },
      { email: 'a@b', plan: 'gold' },
      [],
      'a@b',
    ],
  },
  {
    name: 'a field list of sizes (string length, array items, any, number range, boolean, object)',
    codec: fieldsCodec(sizes),
    accepted: [
      { x: 0 },
      { x: 'abc', code: 'ab', list: [1, 2], ratio: 1, flag: false, meta: {} },
      { x: [1, 2, 3], code: '', list: null, ratio: '', flag: null, meta: null },
      { x: true },
      { x: -10 },
    ],
    refused: [
      {},
      { x: null },
      { x: '' },
      { x: 4 },
      { x: 'abcd' },
      { x: [1, 2, 3, 4] },
      { x: 1, code: 'a' },
      { x: 1, code: 'abcd' },
      { x: 1, list: [] },
      { x: 1, list: [1, 2, 3] },
      { x: 1, ratio: 1.5 },
      { x: 1, flag: 'true' },
      { x: 1, meta: [] },
    ],
  },
];

const accepts = (codec: t.Decoder<unknown, unknown>, value: unknown): boolean => isRight(codec.decode(value));

describe('service/jsonSchema against ajv (draft 2020-12)', () => {
  for (const { name, codec, accepted, refused } of cases) {
    it(`agrees with the codec on ${name}`, () => {
      const valid = ajv.compile(toJsonSchema(codec));
      for (const value of accepted) {
        const label = JSON.stringify(value);
        expect(accepts(codec, value)).withContext(`the codec accepts ${label}`).toBeTrue();
        expect(valid(value))
          .withContext(`ajv accepts ${label}: ${ajv.errorsText(valid.errors)}`)
          .toBeTrue();
      }
      for (const value of refused) {
        const label = JSON.stringify(value);
        expect(accepts(codec, value)).withContext(`the codec refuses ${label}`).toBeFalse();
        expect(valid(value)).withContext(`ajv refuses ${label}`).toBeFalse();
      }
    });
  }

  it('is looser than a refinement: the base type is checked, not the predicate', () => {
    const Positive = t.refinement(t.number, (n) => n > 0, 'Positive');
    const valid = ajv.compile(toJsonSchema(Positive));
    expect([valid(1), valid(-1), valid('1')]).toEqual([true, true, false]);
    expect(accepts(Positive, -1)).toBeFalse();
  });

  it('lets anything through for a codec it cannot express', () => {
    interface Tree {
      readonly children: Tree[];
    }
    const Tree: t.Type<Tree> = t.recursion('Tree', () => t.type({ children: t.array(Tree) }));
    const valid = ajv.compile(toJsonSchema(Tree));
    expect([valid(1), valid({ children: 'no' })]).toEqual([true, true]);
  });

  describe('on any body (property)', () => {
    const value = fc.oneof(
      fc.constantFrom<JsonValue>('free', 'pro', 'gold', '', null, 'a@b', 'nobody', 'ab', 'abcd', true),
      fc.integer({ min: -5, max: 200 }),
      fc.double({ min: -2, max: 2, noNaN: true }),
      fc.array(fc.integer(), { maxLength: 4 }),
      fc.jsonValue({ maxDepth: 2 }),
    );
    const body = (keys: readonly string[]) =>
      fc.oneof(
        fc.record(Object.fromEntries(keys.map((key) => [key, value])), { requiredKeys: [] }),
        fc.jsonValue({ maxDepth: 2 }),
      );

    for (const [name, codec, keys] of [
      ['type with keyof', Signup, ['email', 'age', 'plan']],
      ['the invite field list', fieldsCodec(invite), ['email', 'age', 'plan']],
      ['a field list of sizes', fieldsCodec(sizes), ['code', 'list', 'x', 'ratio', 'flag', 'meta']],
    ] as const) {
      it(`ajv finds valid exactly what ${name} accepts`, () => {
        const valid = ajv.compile(toJsonSchema(codec));
        fc.assert(
          fc.property(body(keys), (input) => valid(input) === accepts(codec, input)),
          { numRuns: 500 },
        );
      });
    }
  });
});
