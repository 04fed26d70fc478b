/**
 * The JSON Schema converter, combinator by combinator, and the field lists
 * rule by rule. spec/service/jsonSchema.ajv.spec.ts checks the schemas
 * against a real validator.
 */
import * as t from 'io-ts';
import { fieldsCodec } from '../../src/service/fields.js';
import {
  JSON_SCHEMA_DIALECT,
  fieldsJsonSchema,
  toJsonSchema,
  type JsonSchema,
} from '../../src/service/jsonSchema.js';

/** The schema of `codec` without the root's `$schema`. */
const schemaOf = (codec: t.Decoder<unknown, unknown>): JsonSchema => {
  const { $schema, ...schema } = toJsonSchema(codec);
  expect($schema).toBe(JSON_SCHEMA_DIALECT);
  return schema;
};

interface Positive {
  readonly Positive: unique symbol;
}

describe('service/jsonSchema', () => {
  describe('toJsonSchema', () => {
    it('says the primitives with their JSON type', () => {
      expect(schemaOf(t.string)).toEqual({ type: 'string' });
      expect(schemaOf(t.number)).toEqual({ type: 'number' });
      expect(schemaOf(t.boolean)).toEqual({ type: 'boolean' });
      expect(schemaOf(t.null)).toEqual({ type: 'null' });
      expect(schemaOf(t.Int)).toEqual({ type: 'integer' });
    });

    it('lets anything through for unknown, any, and nothing for never or undefined', () => {
      expect(schemaOf(t.unknown)).toEqual({});
      expect(schemaOf(t.any)).toEqual({});
      expect(schemaOf(t.never)).toEqual({ not: {} });
      expect(schemaOf(t.undefined)).toEqual({ not: {} });
    });

    it('says a literal as const, a keyof as a string enum', () => {
      expect(schemaOf(t.literal('free'))).toEqual({ const: 'free' });
      expect(schemaOf(t.literal(3))).toEqual({ const: 3 });
      expect(schemaOf(t.keyof({ free: null, pro: null }))).toEqual({ type: 'string', enum: ['free', 'pro'] });
    });

    it('says a union as anyOf, dropping undefined (it only makes a key optional)', () => {
      expect(schemaOf(t.union([t.string, t.number]))).toEqual({
        anyOf: [{ type: 'string' }, { type: 'number' }],
      });
      expect(schemaOf(t.union([t.string, t.undefined]))).toEqual({ type: 'string' });
      expect(schemaOf(t.union([t.undefined, t.void]))).toEqual({ not: {} });
    });

    it('says an intersection as allOf', () => {
      expect(schemaOf(t.intersection([t.type({ a: t.string }), t.partial({ b: t.number })]))).toEqual({
        allOf: [
          { type: 'object', properties: { a: { type: 'string' } }, required: ['a'] },
          { type: 'object', properties: { b: { type: 'number' } } },
        ],
      });
    });

    it('says a type as an object whose keys are required unless their codec passes undefined', () => {
      expect(
        schemaOf(t.type({ a: t.string, b: t.union([t.number, t.undefined]), c: t.unknown, d: t.null })),
      ).toEqual({
        type: 'object',
        properties: { a: { type: 'string' }, b: { type: 'number' }, c: {}, d: { type: 'null' } },
        required: ['a', 'd'],
      });
      expect(schemaOf(t.type({}))).toEqual({ type: 'object', properties: {} });
    });

    it('says a partial as an object with no required key', () => {
      expect(schemaOf(t.partial({ a: t.string }))).toEqual({
        type: 'object',
        properties: { a: { type: 'string' } },
      });
    });

    it('says exact and strict as their props, letting other keys through (io-ts drops them, it does not refuse them)', () => {
      const props: JsonSchema = { type: 'object', properties: { a: { type: 'string' } }, required: ['a'] };
      expect(schemaOf(t.exact(t.type({ a: t.string })))).toEqual(props);
      expect(schemaOf(t.strict({ a: t.string }))).toEqual(props);
      expect(t.strict({ a: t.string }).decode({ a: 'x', b: 1 })._tag).toBe('Right');
    });

    it('says a readonly codec as its inner one', () => {
      expect(schemaOf(t.readonly(t.type({ a: t.string })))).toEqual({
        type: 'object',
        properties: { a: { type: 'string' } },
        required: ['a'],
      });
    });

    it('says array and readonlyArray with their items', () => {
      expect(schemaOf(t.array(t.string))).toEqual({ type: 'array', items: { type: 'string' } });
      expect(schemaOf(t.readonlyArray(t.Int))).toEqual({ type: 'array', items: { type: 'integer' } });
    });

    it('says a record by string as additionalProperties, by a finite domain as required keys', () => {
      expect(schemaOf(t.record(t.string, t.number))).toEqual({
        type: 'object',
        additionalProperties: { type: 'number' },
      });
      expect(schemaOf(t.record(t.keyof({ x: null, y: null }), t.boolean))).toEqual({
        type: 'object',
        properties: { x: { type: 'boolean' }, y: { type: 'boolean' } },
        required: ['x', 'y'],
      });
      expect(schemaOf(t.record(t.union([t.literal('x'), t.literal('y')]), t.unknown))).toEqual({
        type: 'object',
        properties: { x: {}, y: {} },
      });
    });

    it('says a record by another domain as an object, saying the keys could not be expressed', () => {
      const Short = t.refinement(t.string, (s) => s.length < 3, 'Short');
      const schema = schemaOf(t.record(Short, t.number));
      expect(schema.type).toBe('object');
      expect(schema.description).toMatch(/could not be expressed in JSON Schema \(keys of Short\)/);
    });

    it('says a tuple with prefixItems, at least as long as its last component that needs a value', () => {
      expect(schemaOf(t.tuple([t.string, t.number]))).toEqual({
        type: 'array',
        prefixItems: [{ type: 'string' }, { type: 'number' }],
        minItems: 2,
      });
      expect(schemaOf(t.tuple([t.string, t.union([t.number, t.undefined])]))).toEqual({
        type: 'array',
        prefixItems: [{ type: 'string' }, { type: 'number' }],
        minItems: 1,
      });
    });

    it('says a refinement or a brand as its base type (the predicate cannot be said)', () => {
      const Positive = t.brand(t.number, (n): n is t.Branded<number, Positive> => n > 0, 'Positive');
      expect(schemaOf(Positive)).toEqual({ type: 'number' });
      expect(schemaOf(t.refinement(t.type({ a: t.string }), (o) => o.a !== ''))).toEqual({
        type: 'object',
        properties: { a: { type: 'string' } },
        required: ['a'],
      });
    });

    it('says UnknownRecord and UnknownArray as their JSON type', () => {
      expect(schemaOf(t.UnknownRecord)).toEqual({ type: 'object' });
      expect(schemaOf(t.UnknownArray)).toEqual({ type: 'array' });
    });

    it('says a field list codec as its field list', () => {
      const fields = [{ name: 'email', type: 'string', required: true }] as const;
      expect(toJsonSchema(fieldsCodec(fields))).toEqual(fieldsJsonSchema(fields));
      expect(schemaOf(t.type({ who: fieldsCodec(fields) }))).toEqual({
        type: 'object',
        properties: {
          who: {
            type: 'object',
            properties: { email: { type: 'string', minLength: 1 } },
            required: ['email'],
          },
        },
        required: ['who'], // a missing body fails its required email
      });
      expect(
        schemaOf(t.type({ who: fieldsCodec([{ name: 'nick', type: 'string' }]) })).required,
      ).toBeUndefined();
    });

    it('lets anything through, saying so, for a codec it cannot express', () => {
      interface Tree {
        readonly children: Tree[];
      }
      const Tree: t.Type<Tree> = t.recursion('Tree', () => t.type({ children: t.array(Tree) }));
      const Custom = new t.Type<Date, string, unknown>(
        'DateFromISOString',
        (u): u is Date => u instanceof Date,
        (u, c) => (typeof u === 'string' ? t.success(new Date(u)) : t.failure(u, c)),
        (d) => d.toISOString(),
      );
      for (const [codec, why] of [
        [Tree, 'RecursiveType'],
        [t.Function, 'FunctionType'],
        [t.bigint, 'BigIntType'],
        [Custom, 'a custom codec'],
      ] as const) {
        expect(schemaOf(codec))
          .withContext(why)
          .toEqual({
            description: `io-ts codec ${JSON.stringify(codec.name)} could not be expressed in JSON Schema (${why}): any value is let through here`,
          });
      }
    });
  });

  describe('fieldsJsonSchema', () => {
    it('says a field list as an object with a property per field, required ones listed', () => {
      expect(
        fieldsJsonSchema([
          { name: 'email', type: 'string', required: true, pattern: '^[^@]+@[^@]+$' },
          { name: 'age', type: 'integer', min: 18, max: 130 },
        ]),
      ).toEqual({
        $schema: JSON_SCHEMA_DIALECT,
        type: 'object',
        properties: {
          email: { type: 'string', pattern: '^[^@]+@[^@]+$', minLength: 1 },
          age: { anyOf: [{ type: 'integer', minimum: 18, maximum: 130 }, { enum: [null, ''] }] },
        },
        required: ['email'],
      });
    });

    it('says each type with the keywords its min and max stand for', () => {
      const one = (field: Parameters<typeof fieldsJsonSchema>[0][number]): JsonSchema | undefined =>
        fieldsJsonSchema([{ ...field, required: true }]).properties?.[field.name];
      expect(one({ name: 'n', type: 'number', min: 0.5, max: 2 })).toEqual({
        type: 'number',
        minimum: 0.5,
        maximum: 2,
      });
      expect(one({ name: 's', type: 'string', min: 2.5, max: 8.5 })).toEqual({
        type: 'string',
        minLength: 3,
        maxLength: 8,
      });
      expect(one({ name: 'a', type: 'array', min: -1, max: 3 })).toEqual({
        type: 'array',
        minItems: 0,
        maxItems: 3,
      });
      expect(one({ name: 'b', type: 'boolean', min: 1 })).toEqual({ type: 'boolean' });
      expect(one({ name: 'o', type: 'object', max: 1 })).toEqual({ type: 'object' });
      expect(one({ name: 'x', type: 'any', min: 1, max: 2, pattern: 'a' })).toEqual({
        minimum: 1,
        maximum: 2,
        minLength: 1,
        maxLength: 2,
        minItems: 1,
        maxItems: 2,
        pattern: 'a',
        not: { enum: [null, ''] },
      });
    });

    it('keeps the enum values that === can match (an object or array in it never matches a body)', () => {
      expect(
        fieldsJsonSchema([
          { name: 'plan', type: 'any', required: true, enum: ['free', 1, null, { a: 1 }, [2]] },
        ]).properties,
      ).toEqual({ plan: { enum: ['free', 1, null], not: { enum: [null, ''] } } });
    });

    it('lets a field that is not required be missing, null or empty', () => {
      expect(fieldsJsonSchema([{ name: 'x', type: 'any' }]).properties).toEqual({ x: {} });
      expect(fieldsJsonSchema([{ name: 'x', type: 'boolean' }]).properties).toEqual({
        x: { anyOf: [{ type: 'boolean' }, { enum: [null, ''] }] },
      });
    });

    it('refuses a malformed field list, as fieldsCodec does', () => {
      expect(() => fieldsJsonSchema([{ name: 'x', type: 'date' as 'string' }])).toThrowError(
        TypeError,
        /unknown type "date"/,
      );
    });
  });
});
