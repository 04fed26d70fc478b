/**
 * Turning io-ts decoding errors into rxmini {@link FieldIssue}s.
 *
 * @packageDocumentation
 */
import * as t from 'io-ts';
import type { FieldIssue } from '../errors.js';

/**
 * A short, bounded description of a value for an issue message (`string "abc"`,
 * `array`, `3 bytes`). Internal to the codec.
 */
export const describeValue = (value: unknown): string => {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (value instanceof Uint8Array) return `${value.length} bytes`;
  switch (typeof value) {
    case 'string':
      return `string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
    case 'number':
    case 'boolean':
    case 'bigint':
      return `${typeof value} ${String(value)}`;
    default:
      return typeof value;
  }
};

/** Exact, readonly and refinement wrappers validate through their inner codec without a context entry. */
const unwrap = (type: t.Decoder<unknown, unknown>): t.Decoder<unknown, unknown> =>
  type instanceof t.ExactType || type instanceof t.ReadonlyType || type instanceof t.RefinementType
    ? unwrap(type.type as t.Decoder<unknown, unknown>)
    : type;

/** Intersections and unions add a context entry per member; its key is an index, not a field. */
const isMemberEntry = (parent: t.ContextEntry | undefined): boolean => {
  if (parent === undefined) return false;
  const type = unwrap(parent.type);
  return type instanceof t.IntersectionType || type instanceof t.UnionType;
};

const pathOf = (context: t.Context): string => {
  const keys: string[] = [];
  for (let i = 1; i < context.length; i++) {
    const entry = context[i];
    if (entry === undefined || entry.key === '' || isMemberEntry(context[i - 1])) continue;
    keys.push(entry.key);
  }
  return keys.join('.');
};

/**
 * Converts io-ts validation errors into one {@link FieldIssue} per failing field, with dotted
 * paths (`header.trace`, `body.items.2`). A missing required field gets `expected: 'required'`.
 *
 * @example
 * ```ts
 * import * as t from 'io-ts';
 * import { isLeft } from 'fp-ts/lib/Either.js';
 * import { toFieldIssues } from 'rxmini';
 * const result = t.type({ email: t.string }).decode({});
 * if (isLeft(result)) toFieldIssues(result.left); // [{ path: 'email', expected: 'required', message: 'email: required' }]
 * ```
 */
export const toFieldIssues = (errors: t.Errors, prefix = ''): FieldIssue[] => {
  const issues: FieldIssue[] = [];
  const seen = new Set<string>();
  for (const error of errors) {
    const own = pathOf(error.context);
    const path = prefix === '' ? own : own === '' ? prefix : `${prefix}.${own}`;
    const label = path === '' ? 'value' : path;
    const last = error.context[error.context.length - 1];
    const issue: FieldIssue =
      error.value === undefined && error.message === undefined
        ? { path, expected: 'required', message: `${label}: required` }
        : {
            path,
            expected: last?.type.name ?? 'unknown',
            actual: error.value,
            message: `${label}: ${error.message ?? `expected ${last?.type.name ?? 'unknown'}, got ${describeValue(error.value)}`}`,
          };
    // A union reports every member that failed at the same place; one line per place is enough.
    const key = `${issue.path}\u0000${issue.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    issues.push(issue);
  }
  return issues;
};
