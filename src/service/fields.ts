/**
 * The original's field-list input schema (`{ name, type, required }`), with
 * `min`, `max`, `enum`, `pattern` and custom messages, compiled to an io-ts
 * codec so that it validates through the same `validate` operator, with the
 * same failure shape, as a codec does.
 *
 * @packageDocumentation
 */
import * as t from 'io-ts';
import type { JsonValue } from '../codec/json.js';

/** The types a field may be declared with. */
export const FieldType = {
  string: 'string',
  number: 'number',
  integer: 'integer',
  boolean: 'boolean',
  object: 'object',
  array: 'array',
  any: 'any',
} as const;

/** Union of the {@link FieldType} names. */
export type FieldType = (typeof FieldType)[keyof typeof FieldType];

/** The rules a field is checked by, in the order they are checked (the first failing one is reported). */
export type FieldRule = 'required' | 'type' | 'enum' | 'min' | 'max' | 'pattern';

/**
 * One field of an action's input, as the original's `InputSchemaField`
 * (`name`, `type`, `required`) plus constraints. Unlike the original, the type
 * IS checked, and an unknown type or rule is refused when the action is
 * registered instead of silently passing.
 *
 * @example
 * ```ts
 * import type { InputSchemaField } from 'rxmini';
 * const fields: InputSchemaField[] = [
 *   { name: 'email', type: 'string', required: true, pattern: '^[^@]+@[^@]+$', message: 'must be an email' },
 *   { name: 'age', type: 'integer', min: 18, max: 130 },
 *   { name: 'plan', type: 'string', enum: ['free', 'pro'] },
 * ];
 * ```
 */
export interface InputSchemaField {
  /** The key in the request body. */
  readonly name: string;
  /** What its value must be; `any` checks nothing but the other rules. */
  readonly type: FieldType;
  /** Missing, `null` or `''` fails; default false (then a missing field passes every rule). */
  readonly required?: boolean;
  /** Smallest number, or shortest length of a string or an array. */
  readonly min?: number;
  /** Largest number, or longest length of a string or an array. */
  readonly max?: number;
  /** The values allowed (compared with `===`). */
  readonly enum?: readonly JsonValue[];
  /** A regular expression a string must match (the source, without slashes). */
  readonly pattern?: string;
  /** The text of a failure instead of the built-in one: one for every rule, or one per rule. */
  readonly message?: string | Partial<Readonly<Record<FieldRule, string>>>;
}

const isBlank = (value: unknown): boolean => value === undefined || value === null || value === '';

const typeOk = (type: FieldType, value: unknown): boolean => {
  switch (type) {
    case 'string':
      return typeof value === 'string';
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'object':
      return typeof value === 'object' && value !== null && !Array.isArray(value);
    case 'array':
      return Array.isArray(value);
    case 'any':
      return true;
  }
};

/** The size `min`/`max` compare: a number's value, a string's or an array's length (as the original). */
const sizeOf = (value: unknown): number | undefined =>
  typeof value === 'number'
    ? value
    : typeof value === 'string' || Array.isArray(value)
      ? value.length
      : undefined;

interface CompiledField {
  readonly field: InputSchemaField;
  readonly pattern: RegExp | undefined;
}

/** The first failing rule of one field, with its expected text and the built-in message. */
const check = (
  { field, pattern }: CompiledField,
  value: unknown,
): { rule: FieldRule; expected: string; text: string } | undefined => {
  if (isBlank(value)) {
    return field.required ? { rule: 'required', expected: 'required', text: 'required' } : undefined;
  }
  if (!typeOk(field.type, value)) {
    return { rule: 'type', expected: field.type, text: `expected ${field.type}` };
  }
  if (field.enum !== undefined && !field.enum.includes(value as JsonValue)) {
    const list = field.enum.map((v) => JSON.stringify(v)).join(', ');
    return { rule: 'enum', expected: `enum:${list}`, text: `must be one of ${list}` };
  }
  const size = sizeOf(value);
  const unit = typeof value === 'number' ? '' : 'length ';
  if (field.min !== undefined && size !== undefined && size < field.min) {
    return { rule: 'min', expected: `min:${field.min}`, text: `${unit}must be ≥ ${field.min}` };
  }
  if (field.max !== undefined && size !== undefined && size > field.max) {
    return { rule: 'max', expected: `max:${field.max}`, text: `${unit}must be ≤ ${field.max}` };
  }
  if (pattern !== undefined && typeof value === 'string' && !pattern.test(value)) {
    return { rule: 'pattern', expected: `pattern:${pattern.source}`, text: `must match /${pattern.source}/` };
  }
  return undefined;
};

/** The field list each codec of {@link fieldsCodec} was compiled from (read by the JSON Schema converter). */
const fieldLists = new WeakMap<object, readonly InputSchemaField[]>();

/** The field list `codec` was compiled from by {@link fieldsCodec}, or `undefined` for another codec. */
export const fieldListOf = (codec: object): readonly InputSchemaField[] | undefined => fieldLists.get(codec);

const messageOf = (field: InputSchemaField, rule: FieldRule, text: string): string =>
  typeof field.message === 'string' ? field.message : (field.message?.[rule] ?? text);

/** A decoder that only names what was expected, for the issue's `expected`. */
const expectation = (name: string): t.Decoder<unknown, unknown> =>
  new t.Type(name, t.unknown.is, t.success, t.identity);

const assertFields = (fields: readonly InputSchemaField[]): CompiledField[] => {
  if (!Array.isArray(fields)) throw new TypeError('an action needs a list of fields');
  const names = new Set<string>();
  return fields.map((field) => {
    if (typeof field?.name !== 'string' || field.name === '') throw new TypeError('a field needs a name');
    if (names.has(field.name)) throw new TypeError(`field ${field.name} is listed twice`);
    names.add(field.name);
    if (!Object.prototype.hasOwnProperty.call(FieldType, field.type)) {
      throw new TypeError(`field ${field.name}: unknown type ${JSON.stringify(field.type)}`);
    }
    for (const bound of ['min', 'max'] as const) {
      const value = field[bound];
      if (value !== undefined && !Number.isFinite(value)) {
        throw new TypeError(`field ${field.name}: ${bound} must be a finite number`);
      }
    }
    if (field.enum !== undefined && !Array.isArray(field.enum)) {
      throw new TypeError(`field ${field.name}: enum must be a list of values`);
    }
    let pattern: RegExp | undefined;
    if (field.pattern !== undefined) {
      try {
        pattern = new RegExp(field.pattern);
      } catch (error) {
        throw new TypeError(`field ${field.name}: invalid pattern ${JSON.stringify(field.pattern)}`, {
          cause: error,
        });
      }
    }
    return { field, pattern };
  });
};

/**
 * An io-ts codec for a body described by `fields`. It passes an object whose
 * fields all pass (and keeps every other key); otherwise it fails with one
 * error per failing field, in the order of `fields`, each naming the first
 * rule that field broke (`required`, its type, `enum:…`, `min:N`, `max:N`,
 * `pattern:…`). Through `validate` that is a `ValidationError` whose issues
 * read as a codec's do: `{ path: 'age', expected: 'min:18', actual: 12, message: 'age: must be ≥ 18' }`.
 * Throws a `TypeError` at once for a malformed field list.
 *
 * @example
 * ```ts
 * import { fieldsCodec, validate } from 'rxmini';
 * const Signup = fieldsCodec([
 *   { name: 'email', type: 'string', required: true },
 *   { name: 'age', type: 'integer', min: 18 },
 * ]);
 * bus.subscribeTopic('users.signup').pipe(validate(Signup)).subscribe((d) => d.finish());
 * ```
 */
export const fieldsCodec = (
  fields: readonly InputSchemaField[],
): t.Type<Record<string, unknown>, Record<string, unknown>, unknown> => {
  const compiled = assertFields(fields);
  const name = `fields(${compiled.map(({ field }) => field.name).join(', ')})`;
  const isRecord = (u: unknown): u is Record<string, unknown> =>
    typeof u === 'object' && u !== null && !Array.isArray(u);
  const codec = new t.Type<Record<string, unknown>, Record<string, unknown>, unknown>(
    name,
    (u): u is Record<string, unknown> =>
      isRecord(u) && compiled.every((c) => check(c, u[c.field.name]) === undefined),
    (u, context) => {
      const body: Record<string, unknown> = isRecord(u) ? u : {};
      if (!isRecord(u) && u !== undefined) return t.failure(u, context, 'expected an object');
      const errors: t.ValidationError[] = [];
      for (const c of compiled) {
        const value = body[c.field.name];
        const failed = check(c, value);
        if (failed === undefined) continue;
        const custom = typeof c.field.message === 'string' || c.field.message?.[failed.rule] !== undefined;
        errors.push({
          value,
          context: [...context, { key: c.field.name, type: expectation(failed.expected), actual: value }],
          // io-ts's own shape for a plain missing field: no message, so it reads `x: required`
          ...(failed.rule === 'required' && !custom && value === undefined
            ? {}
            : { message: messageOf(c.field, failed.rule, failed.text) }),
        });
      }
      return errors.length === 0 ? t.success(body) : t.failures(errors);
    },
    t.identity,
  );
  fieldLists.set(codec, Object.freeze(compiled.map(({ field }) => field)));
  return codec;
};
