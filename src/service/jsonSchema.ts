/**
 * JSON Schema (draft 2020-12) of an action's input and output, derived from
 * its io-ts codec or its field list: what `svc.describe()` tells a caller.
 *
 * The schema says what the codec accepts, no more and no less where JSON
 * Schema can say it: a value the codec accepts is valid, and (but for a
 * refinement's predicate, which JSON Schema cannot run) a value it refuses is
 * invalid. So where io-ts drops instead of refusing (the unknown keys of
 * `exact`/`strict`, the extra components of a `tuple`), the schema lets them
 * through too.
 *
 * @packageDocumentation
 */
import { isRight } from 'fp-ts/lib/Either.js';
import type * as t from 'io-ts';
import type { JsonValue } from '../codec/json.js';
import { fieldListOf, fieldsCodec, type InputSchemaField } from './fields.js';

/** The dialect of every schema produced here, as its `$schema`. */
export const JSON_SCHEMA_DIALECT = 'https://json-schema.org/draft/2020-12/schema';

/** A JSON Schema `type` name. */
export type JsonSchemaType = 'null' | 'boolean' | 'object' | 'array' | 'number' | 'integer' | 'string';

/**
 * A JSON Schema (draft 2020-12), with the keywords this converter produces.
 *
 * @example
 * ```ts
 * import type { JsonSchema } from 'rxmini';
 * const Email: JsonSchema = { type: 'string', pattern: '^[^@]+@[^@]+$' };
 * ```
 */
export interface JsonSchema {
  readonly $schema?: string;
  readonly description?: string;
  readonly type?: JsonSchemaType;
  readonly const?: JsonValue;
  readonly enum?: readonly JsonValue[];
  readonly properties?: { readonly [key: string]: JsonSchema };
  readonly required?: readonly string[];
  readonly additionalProperties?: JsonSchema;
  readonly items?: JsonSchema;
  readonly prefixItems?: readonly JsonSchema[];
  readonly minItems?: number;
  readonly maxItems?: number;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly pattern?: string;
  readonly anyOf?: readonly JsonSchema[];
  readonly allOf?: readonly JsonSchema[];
  readonly not?: JsonSchema;
}

/** An io-ts codec, as the combinators build them: `_tag` names the combinator. */
interface Tagged {
  readonly _tag?: unknown;
  readonly name: string;
  readonly decode: (input: unknown) => t.Validation<unknown>;
}

/** Matches no value: `undefined`, which JSON cannot carry, and `never`. */
const NOTHING: JsonSchema = { not: {} };

const unexpressed = (codec: Tagged, why: string): JsonSchema => ({
  description: `io-ts codec ${JSON.stringify(codec.name)} could not be expressed in JSON Schema (${why}): any value is let through here`,
});

/** True when the codec passes a missing value (`t.type` then lets the key be left out). */
const acceptsUndefined = (codec: Tagged): boolean => {
  try {
    return isRight(codec.decode(undefined));
  } catch {
    return false;
  }
};

const isUndefinedCodec = (codec: Tagged): boolean =>
  codec._tag === 'UndefinedType' || codec._tag === 'VoidType';

const objectOf = (props: Readonly<Record<string, Tagged>>, allOptional: boolean): JsonSchema => {
  const keys = Object.keys(props);
  const properties = Object.fromEntries(keys.map((key) => [key, schemaOf(props[key] as Tagged)]));
  const required = allOptional ? [] : keys.filter((key) => !acceptsUndefined(props[key] as Tagged));
  return { type: 'object', properties, ...(required.length > 0 ? { required } : {}) };
};

/** The keys of a record's domain when io-ts enumerates them (a literal, a keyof, a union of those). */
const domainKeys = (domain: Tagged): string[] | undefined => {
  const codec = domain as Tagged & { value?: unknown; keys?: object; types?: readonly Tagged[] };
  if (codec._tag === 'LiteralType') return typeof codec.value === 'string' ? [codec.value] : undefined;
  if (codec._tag === 'KeyofType' && codec.keys !== undefined) return Object.keys(codec.keys);
  if (codec._tag === 'UnionType' && codec.types !== undefined) {
    const keys = codec.types.map(domainKeys);
    return keys.some((k) => k === undefined) ? undefined : [...new Set(keys.flat() as string[])];
  }
  return undefined;
};

const recordOf = (codec: Tagged & { domain: Tagged; codomain: Tagged }): JsonSchema => {
  const keys = domainKeys(codec.domain);
  if (keys !== undefined) {
    // io-ts checks an enumerable domain as `strict`: each key required (unless its value may be missing)
    return objectOf(Object.fromEntries(keys.map((key) => [key, codec.codomain])), false);
  }
  if (codec.domain._tag === 'StringType') {
    return { type: 'object', additionalProperties: schemaOf(codec.codomain) };
  }
  // keys outside another domain are dropped, not refused: JSON Schema has no "if the key matches"
  return { ...unexpressed(codec, `keys of ${codec.domain.name}`), type: 'object' };
};

const tupleOf = (components: readonly Tagged[]): JsonSchema => {
  // a short array passes while the missing components accept undefined; extra ones are dropped
  let minItems = components.length;
  while (minItems > 0 && acceptsUndefined(components[minItems - 1] as Tagged)) minItems -= 1;
  return {
    type: 'array',
    prefixItems: components.map(schemaOf),
    ...(minItems > 0 ? { minItems } : {}),
  };
};

const schemaOf = (codec: Tagged): JsonSchema => {
  const fields = fieldListOf(codec);
  if (fields !== undefined) return fieldsSchemaOf(fields);
  const c = codec as Tagged & {
    readonly value?: JsonValue;
    readonly keys?: object;
    readonly types?: readonly Tagged[];
    readonly type?: Tagged;
    readonly props?: Readonly<Record<string, Tagged>>;
    readonly domain?: Tagged;
    readonly codomain?: Tagged;
  };
  switch (c._tag) {
    case 'StringType':
      return { type: 'string' };
    case 'NumberType':
      return { type: 'number' };
    case 'BooleanType':
      return { type: 'boolean' };
    case 'NullType':
      return { type: 'null' };
    case 'UndefinedType':
    case 'VoidType':
    case 'NeverType':
      return NOTHING;
    case 'UnknownType':
    case 'AnyType':
      return {};
    case 'AnyDictionaryType':
      return { type: 'object' };
    case 'AnyArrayType':
      return { type: 'array' };
    case 'LiteralType':
      return { const: c.value ?? null };
    case 'KeyofType':
      return { type: 'string', enum: Object.keys(c.keys ?? {}) };
    case 'UnionType': {
      // `undefined` members only make a property optional, which `type` reads from the codec itself
      const members = (c.types ?? []).filter((member) => !isUndefinedCodec(member));
      if (members.length === 0) return NOTHING;
      return members.length === 1 ? schemaOf(members[0] as Tagged) : { anyOf: members.map(schemaOf) };
    }
    case 'IntersectionType':
      return { allOf: (c.types ?? []).map(schemaOf) };
    case 'InterfaceType':
    case 'StrictType':
      return objectOf(c.props ?? {}, false);
    case 'PartialType':
      return objectOf(c.props ?? {}, true);
    case 'ExactType': // unknown keys are dropped, not refused
    case 'ReadonlyType':
      return c.type === undefined ? unexpressed(codec, 'no inner codec') : schemaOf(c.type);
    case 'ArrayType':
    case 'ReadonlyArrayType':
      return c.type === undefined ? { type: 'array' } : { type: 'array', items: schemaOf(c.type) };
    case 'DictionaryType':
      return c.domain === undefined || c.codomain === undefined
        ? { type: 'object' }
        : recordOf(c as Tagged & { domain: Tagged; codomain: Tagged });
    case 'TupleType':
      return tupleOf(c.types ?? []);
    case 'RefinementType': {
      // the predicate cannot be said in JSON Schema: the base type is (but `Int`, which is `integer`)
      if (c.type === undefined) return unexpressed(codec, 'no base codec');
      if (c.name === 'Int' && c.type._tag === 'NumberType') return { type: 'integer' };
      return schemaOf(c.type);
    }
    default:
      return unexpressed(codec, typeof c._tag === 'string' ? c._tag : 'a custom codec');
  }
};

// ---------------------------------------------------------------------------
// field lists

/** A blank value (`null`, `''`; a missing key too) passes every rule of a field that is not required. */
const BLANK: JsonSchema = { enum: [null, ''] };

/** A JSON Schema length or item count for a field's `min`/`max` (the only length ≤ 0 is `''`, which is blank). */
const count = (bound: number, round: (n: number) => number): number => Math.max(0, round(bound));

/** What a non-blank value of `field` must be: its type, then `enum`, `min`/`max`, `pattern`. */
const typedSchemaOf = (field: InputSchemaField): JsonSchema => {
  const { min, max } = field;
  const numeric = {
    ...(min === undefined ? {} : { minimum: min }),
    ...(max === undefined ? {} : { maximum: max }),
  };
  const length = {
    ...(min === undefined ? {} : { minLength: count(min, Math.ceil) }),
    ...(max === undefined ? {} : { maxLength: count(max, Math.floor) }),
  };
  const items = {
    ...(min === undefined ? {} : { minItems: count(min, Math.ceil) }),
    ...(max === undefined ? {} : { maxItems: count(max, Math.floor) }),
  };
  const pattern = field.pattern === undefined ? {} : { pattern: field.pattern };
  // the field list compares with ===: an object or array in `enum` never matches a decoded body
  const allowed = field.enum?.filter((value) => value === null || typeof value !== 'object');
  const values = allowed === undefined ? {} : { enum: allowed };
  switch (field.type) {
    case 'string':
      return { type: 'string', ...values, ...length, ...pattern };
    case 'number':
      return { type: 'number', ...values, ...numeric };
    case 'integer':
      return { type: 'integer', ...values, ...numeric };
    case 'boolean':
      return { type: 'boolean', ...values };
    case 'object':
      return { type: 'object', ...values };
    case 'array':
      return { type: 'array', ...values, ...items };
    case 'any':
      // each keyword applies to its own JSON type, as `min`/`max` and `pattern` do in the field list
      return { ...values, ...numeric, ...length, ...items, ...pattern };
  }
};

const fieldSchemaOf = (field: InputSchemaField): JsonSchema => {
  const typed = typedSchemaOf(field);
  if (field.required === true) {
    // `null` fails the type, but `''` is a string: a required string is not empty
    if (field.type === 'string') return { ...typed, minLength: Math.max(1, typed.minLength ?? 0) };
    if (field.type === 'any') return { ...typed, not: BLANK };
    return typed;
  }
  return Object.keys(typed).length === 0 ? typed : { anyOf: [typed, BLANK] };
};

const fieldsSchemaOf = (fields: readonly InputSchemaField[]): JsonSchema => {
  const required = fields.filter((field) => field.required === true).map((field) => field.name);
  return {
    type: 'object',
    properties: Object.fromEntries(fields.map((field) => [field.name, fieldSchemaOf(field)])),
    ...(required.length > 0 ? { required } : {}),
  };
};

/**
 * The JSON Schema (draft 2020-12) of what `codec` accepts. Covered: `string`,
 * `number`, `boolean`, `null`, `literal` (`const`), `keyof` (`enum`), `union`
 * (`anyOf`), `intersection` (`allOf`), `type` (a key whose codec passes
 * `undefined` is not `required`), `partial`, `exact`/`strict`, `readonly`,
 * `array`, `readonlyArray`, `record`, `tuple` (`prefixItems`), a refinement
 * or brand (as its base type; `Int` as `integer`), `UnknownRecord`,
 * `UnknownArray`, `unknown`, and a {@link fieldsCodec}. Any other codec
 * (a recursive or custom one, a function…) becomes `{}` with a `description`
 * saying it could not be expressed.
 *
 * @example
 * ```ts
 * import * as t from 'io-ts';
 * import { toJsonSchema } from 'rxmini';
 * toJsonSchema(t.type({ email: t.string, age: t.union([t.number, t.undefined]) }));
 * // { $schema: 'https://json-schema.org/draft/2020-12/schema', type: 'object',
 * //   properties: { email: { type: 'string' }, age: { type: 'number' } }, required: ['email'] }
 * ```
 * @see {@link fieldsJsonSchema}
 */
export const toJsonSchema = (codec: t.Decoder<unknown, unknown>): JsonSchema => ({
  $schema: JSON_SCHEMA_DIALECT,
  ...schemaOf(codec as Tagged),
});

/**
 * The JSON Schema (draft 2020-12) of a body that passes the field list: an
 * object (other keys allowed) with a property per field. A field not
 * `required` may be missing, `null` or `''`; `min`/`max` bound a number
 * (`minimum`/`maximum`), or a string's length (`minLength`/`maxLength`) or an
 * array's (`minItems`/`maxItems`), as the field list does. A length counts
 * UTF-16 units in the field list and code points in JSON Schema: they differ
 * only past U+FFFF. Throws a `TypeError` for a malformed list, as
 * {@link fieldsCodec} does.
 *
 * @example
 * ```ts
 * import { fieldsJsonSchema } from 'rxmini';
 * fieldsJsonSchema([{ name: 'email', type: 'string', required: true, max: 254 }]);
 * // { $schema: …, type: 'object', properties: { email: { type: 'string', maxLength: 254, minLength: 1 } },
 * //   required: ['email'] }
 * ```
 * @see {@link toJsonSchema}
 */
export const fieldsJsonSchema = (fields: readonly InputSchemaField[]): JsonSchema => ({
  $schema: JSON_SCHEMA_DIALECT,
  ...fieldsSchemaOf(fieldListOf(fieldsCodec(fields)) ?? []), // a malformed list throws, as registerAction does
});
