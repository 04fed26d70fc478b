/**
 * Checking that a message is complete enough to send.
 *
 * @packageDocumentation
 */
import * as E from 'fp-ts/lib/Either.js';
import { MessageType } from '../constant/messageType.js';
import { type FieldIssue, ValidationError } from '../errors.js';
import { toFieldIssues } from './issues.js';
import { Message, hasMessageShape } from './message.js';

/** Missing or blank; a value of the wrong type is left for the shape check to describe. */
const isBlank = (value: unknown): boolean =>
  value === undefined || (typeof value === 'string' && value.trim() === '');

const required = (path: string, value: unknown): FieldIssue =>
  value === undefined
    ? { path, expected: 'non-empty string', message: `${path}: required` }
    : {
        path,
        expected: 'non-empty string',
        actual: value,
        message: `${path}: required, got ${JSON.stringify(value)}`,
      };

/** True when {@link routingIssues} would find nothing (checked without allocating). */
const routingOk = (msg: Message): boolean => {
  if (typeof msg !== 'object' || msg === null) return false;
  const record = msg as Partial<Record<keyof Message, unknown>>;
  return (
    !isBlank(record.type) &&
    !(record.type === MessageType.REQUEST && isBlank(record.node)) &&
    !isBlank(record.contextID)
  );
};

const routingIssues = (msg: Message): FieldIssue[] => {
  const issues: FieldIssue[] = [];
  const record: Partial<Record<keyof Message, unknown>> =
    typeof msg === 'object' && msg !== null ? (msg as Partial<Record<keyof Message, unknown>>) : {};
  if (isBlank(record.type)) issues.push(required('type', record.type));
  if (record.type === MessageType.REQUEST && isBlank(record.node)) issues.push(required('node', record.node));
  if (isBlank(record.contextID)) issues.push(required('contextID', record.contextID));
  return issues;
};

/**
 * Checks that `msg` can be routed: `type` is a non-empty string, `node` is set when the type is
 * `request`, and `contextID` is set; then that every field has the right type. Every failing field
 * is reported in one {@link ValidationError}, not just the first. Any `type` string is allowed,
 * not only the {@link MessageType} values, so applications may add their own.
 *
 * (The original's `codec.Validate`; named `validateMessage` because `validate` is the
 * operator that checks a delivery's body.)
 *
 * @example
 * ```ts
 * import { validateMessage } from 'rxmini';
 * validateMessage({ type: 'request' });
 * // Left(ValidationError: invalid message: node: required; contextID: required)
 * ```
 */
export const validateMessage = (msg: Message): E.Either<ValidationError, Message> => {
  // the common case without building a list of issues or a decoded copy
  if (routingOk(msg) && hasMessageShape(msg)) return E.right(msg);
  const issues = routingIssues(msg);
  const shape = Message.decode(msg);
  if (E.isLeft(shape)) {
    const reported = new Set(issues.map((i) => i.path));
    issues.push(...toFieldIssues(shape.left).filter((i) => !reported.has(i.path)));
  }
  return issues.length === 0 ? E.right(msg) : E.left(new ValidationError(issues, { subject: 'message' }));
};

/**
 * {@link validate} for a message that `decode` just produced: its fields already have the right
 * types, so only the routing checks are left (the shape check could report nothing more).
 *
 * @internal
 */
export const validateDecoded = (msg: Message): E.Either<ValidationError, Message> => {
  const issues = routingIssues(msg);
  return issues.length === 0 ? E.right(msg) : E.left(new ValidationError(issues, { subject: 'message' }));
};
