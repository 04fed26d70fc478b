/**
 * Dead letters: where a message goes when it cannot be processed, and what it
 * looks like there.
 *
 * @packageDocumentation
 */
import { newContextID, type Message } from '../codec/message.js';
import { HeaderKey } from '../constant/headerKey.js';
import { MessageType } from '../constant/messageType.js';
import { EPHEMERAL_SUFFIX, MAX_NAME_LENGTH } from '../broker/names.js';

/** Suffix of the default dead-letter topic. */
export const DEAD_LETTER_SUFFIX = '.dead';

/** How much of a long topic's name its derived dead-letter topic keeps. */
const KEPT_LENGTH = MAX_NAME_LENGTH - '-01234567'.length - DEAD_LETTER_SUFFIX.length;

/** FNV-1a, 32 bits, as 8 hex digits: short, stable everywhere, no crypto needed (names are ASCII). */
const shortHash = (text: string): string => {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0).toString(16).padStart(8, '0');
};

/**
 * The default dead-letter topic of `topic`: `<topic>.dead`, without the
 * `#ephemeral` suffix (a dead letter is kept). When that is over 64 characters
 * (NSQ's limit, so for a topic of more than 59), the name is derived instead:
 * the topic's first 50 characters, `-`, the 8 hex digits of the FNV-1a (32-bit)
 * hash of the whole topic (without `#ephemeral`), then `.dead` — 64 characters,
 * the same on every node and every run. A subscription's `deadLetterTopic`
 * option sets another name.
 *
 * @example
 * ```ts
 * import { defaultDeadLetterTopic } from 'rxmini';
 * defaultDeadLetterTopic('orders.created'); // 'orders.created.dead'
 * defaultDeadLetterTopic('jobs#ephemeral'); // 'jobs.dead'
 * defaultDeadLetterTopic(`reports.${'x'.repeat(52)}`); // 'reports.xxx…x-<8 hex digits>.dead', 64 characters
 * ```
 */
export const defaultDeadLetterTopic = (topic: string): string => {
  const base = topic.endsWith(EPHEMERAL_SUFFIX) ? topic.slice(0, -EPHEMERAL_SUFFIX.length) : topic;
  const plain = `${base}${DEAD_LETTER_SUFFIX}`;
  if (plain.length <= MAX_NAME_LENGTH) return plain;
  return `${base.slice(0, KEPT_LENGTH)}-${shortHash(base)}${DEAD_LETTER_SUFFIX}`;
};

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
