/**
 * Filling in what a message to send leaves out.
 *
 * @packageDocumentation
 */
import * as E from 'fp-ts/lib/Either.js';
import { MessageType } from '../constant/messageType.js';
import { ValidationError, type FieldIssue } from '../errors.js';
import { newContextID, type Message } from './message.js';

/**
 * A message to send: a {@link Message} whose `type` may be left out too.
 * `publish` fills in `type` (`'event'`) and `contextID` (a fresh UUID) when they
 * are missing; `contextID` is already optional in `Message`'s type, and
 * required only when the message is sent.
 *
 * @example
 * ```ts
 * import type { PartialMessage } from 'rxmini';
 * const created: PartialMessage = { body: { id: 7 } }; // sent as { type: 'event', contextID: '…uuid…', body: { id: 7 } }
 * ```
 */
export type PartialMessage = Omit<Message, 'type'> & { readonly type?: Message['type'] };

/** Every field a message has: anything else in a partial message is a mistake, not data to drop. */
const MESSAGE_FIELDS: ReadonlySet<string> = new Set([
  'type',
  'node',
  'contextID',
  'replyTo',
  'header',
  'body',
  'rawBody',
  'statusCode',
]);

const unknownField = (key: string, value: unknown): FieldIssue => ({
  path: key,
  expected: 'a message field',
  actual: value,
  message: `${key}: not a message field (a JSON payload goes under body: { body: { ${key}: … } })`,
});

/**
 * `msg` with `type` (`'event'`) and `contextID` (a fresh {@link newContextID})
 * filled in where they are `undefined`. A message that has both is returned
 * as it is, the same object, never rewritten (nor checked: `validateMessage`
 * does that). A partial message with a field a message does not have (a bare
 * JSON body such as `{ id: 7 }`) is a `ValidationError` naming the field, since
 * sending it would drop that field silently.
 *
 * @internal
 */
export const completeMessage = (msg: PartialMessage): E.Either<ValidationError, Message> => {
  if (typeof msg !== 'object' || msg === null) return E.right(msg as Message);
  if (msg.type !== undefined && msg.contextID !== undefined) return E.right(msg as Message);
  const record = msg as Readonly<Record<string, unknown>>;
  const unknown = Object.keys(record).filter((key) => !MESSAGE_FIELDS.has(key));
  if (unknown.length > 0) {
    return E.left(
      new ValidationError(
        unknown.map((key) => unknownField(key, record[key])),
        { subject: 'message' },
      ),
    );
  }
  return E.right({
    ...msg,
    type: msg.type ?? MessageType.EVENT,
    contextID: msg.contextID ?? newContextID(),
  });
};
