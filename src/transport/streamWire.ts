/**
 * The wire of streaming replies: one request, many `stream` replies, and a
 * control path back to the responder for credits (flow control) and cancel.
 *
 * Every node has ONE stream topic, `_stream.<nodeId>#ephemeral`, consumed
 * lazily (on its first `requestStream` or `respondStream`) on the channel
 * `replies#ephemeral`, and muxed by `contextID` like the reply topic:
 *
 * 1. The requester publishes a `request` to the action, with `replyTo` = its
 *    stream topic and the headers {@link StreamHeader.WINDOW} (how many items
 *    the responder may run ahead) and {@link StreamHeader.IDLE} (its idle
 *    timeout, how long the responder waits for credits before it gives up).
 * 2. The responder publishes each item to `replyTo` as a `stream` message with
 *    {@link StreamHeader.SEQ} (0, 1, 2, …) and `replyTo` = ITS stream topic,
 *    which is where credits and cancels go. The last message has the next
 *    sequence number and {@link StreamHeader.END}: `complete`, or `error` with
 *    `body.error` and a status, as a response.
 * 3. The requester emits items in sequence order (NSQ may reorder: requeues,
 *    several nsqd), holding early ones in a buffer bounded by the window, and
 *    drops duplicates. As its subscriber consumes items it publishes credits,
 *    `stream` messages with {@link StreamHeader.CREDIT} = items consumed so far
 *    (cumulative: a lost, repeated or reordered credit is harmless), to the
 *    responder's topic; unsubscribing early publishes one with
 *    {@link StreamHeader.CANCEL}.
 *
 * Why one control topic per node (and not per stream or per responder): on
 * NSQ a topic costs a consumer connection, a `SUB` round trip before its first
 * message and a registration at lookupd; one per stream would add a round trip
 * to every stream and pile up topics. One per node is opened once and shared
 * by every stream the node serves, exactly as the reply topic is shared by
 * every request. The same topic carries the items of the streams the node
 * requests: one consumer per node for all streaming. It is not the reply
 * topic itself, so that a fast stream shares no in-flight budget with unary
 * replies, and the reply path (`request.ts`) stays as it is.
 *
 * @packageDocumentation
 */
import type { JsonValue } from '../codec/json.js';
import type { Message } from '../codec/message.js';
import { setError } from '../codec/result.js';
import { MessageType } from '../constant/messageType.js';
import { StatusCode } from '../constant/status.js';

/**
 * Header keys of the stream protocol (values are decimal strings but for
 * `END` and `CANCEL`).
 *
 * @example
 * ```ts
 * import { StreamHeader } from 'rxmini';
 * bus.subscribeTopic('report.rows').subscribe((d) => {
 *   log.info('window', { window: d.message.header?.[StreamHeader.WINDOW] });
 *   d.finish();
 * });
 * ```
 */
export const StreamHeader = {
  /** On a stream request: most items the responder may send beyond those consumed. */
  WINDOW: 'x-stream-window',
  /** On a stream request: the requester's idle timeout in ms; a responder waiting for credits that long gives up. */
  IDLE: 'x-stream-idle',
  /** On a stream reply: its sequence number, from 0; the end message has the next one. */
  SEQ: 'x-stream-seq',
  /** On the last stream reply: `complete` or `error`. */
  END: 'x-stream-end',
  /** On a control message: how many items the requester has consumed so far. */
  CREDIT: 'x-stream-credit',
  /** On a control message: the requester is gone; stop the source. */
  CANCEL: 'x-stream-cancel',
} as const;

/** Union of the {@link StreamHeader} values. */
export type StreamHeader = (typeof StreamHeader)[keyof typeof StreamHeader];

/**
 * Default window: items a responder may run ahead of what the requester has
 * consumed. Large enough to cover a credit round trip over nsqd at full speed
 * (docs/benchmarks.md, "streams"), small enough to bound memory.
 */
export const DEFAULT_STREAM_WINDOW = 512;

/** Largest window accepted: the requester's reorder buffer holds at most this many items. */
export const MAX_STREAM_WINDOW = 10_000;

/**
 * The stream topic of a node: where its stream items arrive and where the
 * credits and cancels of the streams it serves arrive.
 *
 * @example
 * ```ts
 * import { streamTopicOf } from 'rxmini';
 * streamTopicOf('n1'); // '_stream.n1#ephemeral'
 * ```
 */
export const streamTopicOf = (nodeId: string): string => `_stream.${nodeId}#ephemeral`;

/** The sequence number in a header value, or undefined when it is not a non-negative safe integer. */
export const parseCount = (value: string | undefined): number | undefined => {
  if (value === undefined || !/^\d{1,16}$/.test(value)) return undefined;
  const n = Number(value);
  return Number.isSafeInteger(n) ? n : undefined;
};

/** One item of a stream; bytes travel as `rawBody`, anything else as `body.result`. */
export const itemFrame = (
  contextID: string,
  controlTopic: string,
  seq: number,
  item: JsonValue | Uint8Array,
): Message =>
  item instanceof Uint8Array
    ? {
        type: MessageType.STREAM,
        contextID,
        replyTo: controlTopic,
        header: { [StreamHeader.SEQ]: String(seq) },
        rawBody: item,
      }
    : {
        type: MessageType.STREAM,
        contextID,
        replyTo: controlTopic,
        header: { [StreamHeader.SEQ]: String(seq) },
        body: { result: item },
      };

/** The last message of a stream: complete, or an error with its status. */
export const endFrame = (
  contextID: string,
  controlTopic: string,
  seq: number,
  error?: { readonly error: Error; readonly status: number },
): Message => {
  const frame: Message = {
    type: MessageType.STREAM,
    contextID,
    replyTo: controlTopic,
    header: { [StreamHeader.SEQ]: String(seq), [StreamHeader.END]: error ? 'error' : 'complete' },
    statusCode: error ? error.status : StatusCode.OK,
  };
  return error ? setError(frame, error.error) : frame;
};

/** A control message from the requester to the responder: a credit, or a cancel. */
export const controlFrame = (
  contextID: string,
  control: { readonly credit: number } | 'cancel',
): Message => ({
  type: MessageType.STREAM,
  contextID,
  header:
    control === 'cancel' ? { [StreamHeader.CANCEL]: '1' } : { [StreamHeader.CREDIT]: String(control.credit) },
});
