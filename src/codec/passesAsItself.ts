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

/**
 * True when `codec.decode(value)` would succeed with `value` itself, told at
 * the cost of `codec.is(value)`: for codecs made of io-ts's own non-converting
 * codecs (`type`, `partial`, `string`, `number`, `union`, `array`, `brand`, …).
 * False means "decode to know" (a value that fails, or a codec that may
 * convert), never "invalid".
 */
export const passesAsItself = (codec: t.Decoder<unknown, unknown>, value: unknown): boolean =>
  decodesToItself(codec) && (codec as t.Type<unknown>).is(value);
