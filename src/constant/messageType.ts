/**
 * The kinds of message rxmini puts on the wire.
 *
 * @packageDocumentation
 */

/**
 * Every message type rxmini sends, as the string that travels in `Message.type`.
 *
 * The original Go toolkit spelled the health type `healthCheck`; rxmini uses `health`.
 *
 * @example
 * ```ts
 * import { MessageType } from 'rxmini';
 * const kind: MessageType = MessageType.REQUEST; // 'request'
 * ```
 * @see {@link isMessageType}
 */
export const MessageType = {
  /** A call to an action; expects exactly one response. */
  REQUEST: 'request',
  /** The answer to a request, matched to it by `contextID`. */
  RESPONSE: 'response',
  /** One piece of a longer transfer, such as a file chunk. */
  STREAM: 'stream',
  /** A fact that happened; any number of subscribers, no reply. */
  EVENT: 'event',
  /** A health sample of one node. */
  HEALTH: 'health',
  /** A fire-and-forget message to a topic. */
  PUBLISH: 'publish',
} as const;

/** Union of every {@link MessageType} value. */
export type MessageType = (typeof MessageType)[keyof typeof MessageType];

const messageTypes: ReadonlySet<string> = new Set(Object.values(MessageType));

/**
 * True when `value` is one of the {@link MessageType} strings.
 *
 * @example
 * ```ts
 * import { isMessageType } from 'rxmini';
 * isMessageType('request'); // true
 * isMessageType('healthCheck'); // false
 * ```
 */
export const isMessageType = (value: unknown): value is MessageType =>
  typeof value === 'string' && messageTypes.has(value);
