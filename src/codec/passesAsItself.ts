/**
 * Decoding that first asks the cheap question: for codecs whose decoding
 * never changes a value, `is` says all `decode` would.
 *
 * @packageDocumentation
 */
import * as t from 'io-ts';

/** Codecs known to decode a value to itself, or not at all (a verdict per codec, kept). */
const verdicts = new WeakMap<object, boolean>();

/** The codecs a value decodes through unchanged, when it decodes. */
const decodesToItself = (codec: unknown, depth = 0): boolean => {
  if (typeof codec !== 'object' || codec === null || depth > 32) return false;
  const kept = verdicts.get(codec);
  if (kept !== undefined) return kept;
  let verdict: boolean;
  if (
    codec instanceof t.StringType ||
    codec instanceof t.NumberType ||
    codec instanceof t.BooleanType ||
    codec instanceof t.NullType ||
    codec instanceof t.UndefinedType ||
    codec instanceof t.UnknownType ||
    codec instanceof t.LiteralType ||
    codec instanceof t.KeyofType
  ) {
    verdict = true;
  } else if (codec instanceof t.InterfaceType || codec instanceof t.PartialType) {
    const props = (codec as t.InterfaceType<t.Props>).props;
    verdict = Object.keys(props).every((key) => decodesToItself(props[key], depth + 1));
  } else if (codec instanceof t.UnionType) {
    verdict = (codec as t.UnionType<t.Mixed[]>).types.every((member) => decodesToItself(member, depth + 1));
  } else if (
    codec instanceof t.ArrayType ||
    codec instanceof t.ReadonlyArrayType ||
    codec instanceof t.ReadonlyType ||
    codec instanceof t.RefinementType
  ) {
    verdict = decodesToItself((codec as t.ArrayType<t.Mixed>).type, depth + 1);
  } else {
    // anything else (exact types strip keys, custom codecs convert, recursive ones are not walked): decode
    verdict = false;
  }
  verdicts.set(codec, verdict);
  return verdict;
};

/** A check that says what `codec.is` says, for a codec that decodes to itself. */
export type ItselfCheck = (value: unknown) => boolean;

const isString: ItselfCheck = (u) => typeof u === 'string';
const isNumber: ItselfCheck = (u) => typeof u === 'number';
const isBoolean: ItselfCheck = (u) => typeof u === 'boolean';
const isNull: ItselfCheck = (u) => u === null;
const isUndefined: ItselfCheck = (u) => u === undefined;
const isAnything: ItselfCheck = () => true;
/** io-ts's `UnknownRecord.is`. */
const isRecord = (u: unknown): u is Record<string, unknown> =>
  u !== null && typeof u === 'object' && !Array.isArray(u);
const hasOwn = Object.prototype.hasOwnProperty;

/** The checks of the fields from one on (each calls the next): `true` past the last. */
type FieldsCheck = (u: Record<string, unknown>) => boolean;
const allChecked: FieldsCheck = () => true;

// One closure per field, from one function per kind: each function's property read sees the same few
// keys and shapes (the fields of that kind of the codecs in use), where a loop's one read saw them all;
// and a string, number or boolean is checked inline, where io-ts calls each field's `is`.
const stringField =
  (key: string, required: boolean, next: FieldsCheck): FieldsCheck =>
  (u) => {
    const value = u[key];
    return (typeof value === 'string' || (value === undefined && !required)) && next(u);
  };
const numberField =
  (key: string, required: boolean, next: FieldsCheck): FieldsCheck =>
  (u) => {
    const value = u[key];
    return (typeof value === 'number' || (value === undefined && !required)) && next(u);
  };
const booleanField =
  (key: string, required: boolean, next: FieldsCheck): FieldsCheck =>
  (u) => {
    const value = u[key];
    return (typeof value === 'boolean' || (value === undefined && !required)) && next(u);
  };
const otherField =
  (key: string, required: boolean, check: ItselfCheck, next: FieldsCheck): FieldsCheck =>
  (u) => {
    const value = u[key];
    if (value === undefined) {
      // `type` wants the key present (then checks undefined); `partial` takes undefined as absent
      if (!required) return next(u);
      if (!hasOwn.call(u, key)) return false;
    }
    return check(value) && next(u);
  };

/** Past this many fields, one loop checks them (a chain that long would only grow the stack). */
const MAX_CHAINED_FIELDS = 64;

/**
 * `codec.is` of `t.type(props)` (`required`) or `t.partial(props)`. io-ts
 * reads every field in one loop and calls each field's `is`: for a `type` of
 * a few primitives that was most of a service call's validation (bench
 * `services`, docs/benchmarks.md).
 */
const fieldsCheck = (props: t.Props, required: boolean, depth: number): ItselfCheck => {
  const keys = Object.keys(props);
  const checkOf = (key: string): ItselfCheck => {
    const codec = props[key] as t.Mixed;
    return itselfCheckOf(codec, depth + 1) ?? ((u) => codec.is(u));
  };
  if (keys.length > MAX_CHAINED_FIELDS) {
    const checks = keys.map(checkOf);
    return (u) => {
      if (!isRecord(u)) return false;
      for (let i = 0; i < keys.length; i += 1) {
        const key = keys[i] as string;
        const value = u[key];
        if (value === undefined) {
          if (!required) continue;
          if (!hasOwn.call(u, key)) return false;
        }
        if (!(checks[i] as ItselfCheck)(value)) return false;
      }
      return true;
    };
  }
  let chain = allChecked;
  for (let i = keys.length - 1; i >= 0; i -= 1) {
    const key = keys[i] as string;
    const codec = props[key];
    if (codec instanceof t.StringType) chain = stringField(key, required, chain);
    else if (codec instanceof t.NumberType) chain = numberField(key, required, chain);
    else if (codec instanceof t.BooleanType) chain = booleanField(key, required, chain);
    else chain = otherField(key, required, checkOf(key), chain);
  }
  const first = chain;
  return (u) => isRecord(u) && first(u);
};

/** The check of each codec that decodes to itself, made once. */
const checks = new WeakMap<object, ItselfCheck>();

/**
 * A check equal to `codec.is` for a codec that decodes to itself (see
 * {@link passesAsItself}), made once per codec; `undefined` for a codec that
 * may convert.
 */
export const itselfCheckOf = (codec: unknown, depth = 0): ItselfCheck | undefined => {
  if (typeof codec !== 'object' || codec === null || !decodesToItself(codec, depth)) return undefined;
  const kept = checks.get(codec);
  if (kept !== undefined) return kept;
  let check: ItselfCheck;
  if (codec instanceof t.StringType) check = isString;
  else if (codec instanceof t.NumberType) check = isNumber;
  else if (codec instanceof t.BooleanType) check = isBoolean;
  else if (codec instanceof t.NullType) check = isNull;
  else if (codec instanceof t.UndefinedType) check = isUndefined;
  else if (codec instanceof t.UnknownType) check = isAnything;
  else if (codec instanceof t.InterfaceType || codec instanceof t.PartialType) {
    check = fieldsCheck((codec as t.InterfaceType<t.Props>).props, codec instanceof t.InterfaceType, depth);
  } else if (codec instanceof t.ArrayType || codec instanceof t.ReadonlyArrayType) {
    const inner = (codec as t.ArrayType<t.Mixed>).type;
    const item = itselfCheckOf(inner, depth + 1) ?? ((value: unknown) => inner.is(value));
    // `every`, as io-ts: it skips the holes of a sparse array
    check = (u) => Array.isArray(u) && u.every((value) => item(value));
  } else if (codec instanceof t.ReadonlyType) {
    const inner = (codec as t.ReadonlyType<t.Mixed>).type;
    check = itselfCheckOf(inner, depth + 1) ?? ((u) => inner.is(u));
  } else if (codec instanceof t.UnionType) {
    const members = (codec as t.UnionType<t.Mixed[]>).types.map(
      (member): ItselfCheck => itselfCheckOf(member, depth + 1) ?? ((u) => member.is(u)),
    );
    check = (u) => members.some((member) => member(u));
  } else {
    // literals, keys, brands and refinements: their own `is`
    const own = codec as t.Mixed;
    check = (u) => own.is(u);
  }
  checks.set(codec, check);
  return check;
};

/**
 * True when `codec.decode(value)` would succeed with `value` itself, told at
 * the cost of `codec.is(value)`: for codecs made of io-ts's own non-converting
 * codecs (`type`, `partial`, `string`, `number`, `union`, `array`, `brand`, …).
 * False means "decode to know" (a value that fails, or a codec that may
 * convert), never "invalid".
 */
export const passesAsItself = (codec: t.Decoder<unknown, unknown>, value: unknown): boolean =>
  itselfCheckOf(codec)?.(value) === true;
