/**
 * Dead letters: where a message goes when it cannot be processed, and what it
 * looks like there.
 *
 * @packageDocumentation
 */
import { newContextID, type Message } from '../codec/message.js';
import { HeaderKey, MessageType } from '../constant/index.js';
import { EPHEMERAL_SUFFIX } from '../broker/names.js';

/** Suffix of the default dead-letter topic. */
export const DEAD_LETTER_SUFFIX = '.dead';

/**
 * The default dead-letter topic of `topic`: `<topic>.dead`, without the
 * `#ephemeral` suffix (a dead letter is kept).
 *
 * @example
 * ```ts
 * import { defaultDeadLetterTopic } from 'rxmini';
 * defaultDeadLetterTopic('orders.created'); // 'orders.created.dead'
 * defaultDeadLetterTopic('jobs#ephemeral'); // 'jobs.dead'
 * ```
 */
export const defaultDeadLetterTopic = (topic: string): string =>
  `${topic.endsWith(EPHEMERAL_SUFFIX) ? topic.slice(0, -EPHEMERAL_SUFFIX.length) : topic}${DEAD_LETTER_SUFFIX}`;

/** Why and where a message was dead-lettered. */
export interface DeadLetterInfo {
  /** The reason, as text (an error message). */
  readonly reason: string;
  /** The topic it was consumed from. */
  readonly topic: string;
  /** The delivery attempt that gave up. */
  readonly attempts: number;
}

const errorText = (error: unknown): string =>
  error instanceof Error ? error.message || error.name : typeof error === 'string' ? error : String(error);

/**
 * The reason text of a dead letter, from what was thrown.
 */
export const deadLetterReason = (error: unknown): string => {
  try {
    return errorText(error);
  } catch {
    return 'unknown error';
  }
};

const infoHeader = (info: DeadLetterInfo): Record<string, string> => ({
  [HeaderKey.ERROR]: info.reason,
  [HeaderKey.ORIGINAL_TOPIC]: info.topic,
  [HeaderKey.ATTEMPTS]: String(info.attempts),
});

/**
 * A message that failed processing, as it goes to the dead-letter topic: the
 * same message with `x-error`, `x-original-topic` and `x-attempts` added to its
 * header, so it can be inspected and replayed.
 */
export const deadLetterOf = (message: Message, info: DeadLetterInfo): Message => ({
  ...message,
  header: { ...message.header, ...infoHeader(info) },
});

/**
 * Bytes that are not a valid message, as they go to the dead-letter topic: an
 * `event` message with the original bytes, untouched, in `rawBody` and the
 * reason in its header.
 */
export const undecodableDeadLetter = (bytes: Uint8Array, info: DeadLetterInfo): Message => ({
  type: MessageType.EVENT,
  contextID: newContextID(),
  header: infoHeader(info),
  rawBody: bytes,
});
