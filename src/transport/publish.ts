/**
 * The checks every outgoing message goes through before the broker sees it.
 *
 * @packageDocumentation
 */
import { isLeft } from 'fp-ts/lib/Either.js';
import { Observable, throwError } from 'rxjs';
import { completeMessage, type PartialMessage } from '../codec/complete.js';
import type { Message } from '../codec/message.js';
import { validateMessage } from '../codec/validate.js';
import { encode, encodeInto } from '../codec/wire.js';
import { BadRequestError, PayloadTooLargeError, TransportClosedError } from '../errors.js';
import { MAX_TTL_MS } from '../constant/limits.js';
import type { Broker, BrokerPublishOptions } from '../broker/types.js';
import { TransportMetric, type Counters } from './counters.js';
import { validateTopic } from '../broker/names.js';

/** Bytes the transport encoded for one publish: nobody else has them, the broker may keep them as they are. */
const HAND_OVER: BrokerPublishOptions = { handOver: true };
/** The caller's bytes: the broker copies them. */
const COPY: BrokerPublishOptions = {};

/** Most valid topic names a publisher remembers. */
const MAX_REMEMBERED_TOPICS = 1_024;

/** Frames at least this large are written into memory reused from earlier frames the broker acknowledged. */
export const REUSED_FRAME_BYTES = 64 * 1024;
/** Most frames kept for reuse (the first of them held strongly, the others only until a garbage collection). */
const MAX_FREE_FRAMES = 64;
/** Frames kept strongly for reuse: the memory a publisher holds on to when it sends no more. */
const MAX_KEPT_FRAMES = 8;
/** A kept frame serves a frame up to this many bytes shorter (one file's chunks differ by a few header bytes). */
const FRAME_SLACK_BYTES = 16 * 1024;

/**
 * Memory for large binary frames: a fresh buffer of a file chunk's size costs
 * several times the copy into it (its pages are faulted in anew), so the
 * memory of a frame the broker acknowledged is written into again. Up to
 * {@link MAX_KEPT_FRAMES} are kept for good; more (as many as a burst of
 * sends had in flight) only as long as the garbage collector leaves them.
 */
const framePool = () => {
  /** Memory this pool handed out and not yet got back: only that comes back. */
  const ours = new WeakSet<ArrayBufferLike>();
  const kept: Uint8Array[] = [];
  const spare: WeakRef<Uint8Array>[] = [];
  const fits = (frame: Uint8Array, size: number): boolean =>
    frame.length >= size && frame.length - size <= FRAME_SLACK_BYTES;
  const fromKept = (size: number): Uint8Array | undefined => {
    for (let i = kept.length - 1; i >= 0; i--) {
      const frame = kept[i] as Uint8Array;
      if (fits(frame, size)) return kept.splice(i, 1)[0];
    }
    return undefined;
  };
  const fromSpare = (size: number): Uint8Array | undefined => {
    while (spare.length > 0) {
      const frame = spare.pop()?.deref();
      if (frame && fits(frame, size)) return frame;
    }
    return undefined;
  };
  return {
    take: (size: number): Uint8Array => {
      if (size < REUSED_FRAME_BYTES) return new Uint8Array(size);
      const whole = fromKept(size) ?? fromSpare(size) ?? new Uint8Array(size);
      // out until it is given back, once
      ours.add(whole.buffer);
      return whole.length === size ? whole : whole.subarray(0, size);
    },
    /** `frame` (from `take`) will be neither read nor written by anyone else again. */
    give: (frame: Uint8Array): void => {
      if (!ours.has(frame.buffer)) return;
      // taken back at most once: whoever gives it back had it from take
      ours.delete(frame.buffer);
      const whole = new Uint8Array(frame.buffer);
      if (kept.length < MAX_KEPT_FRAMES) kept.push(whole);
      else if (spare.length < MAX_FREE_FRAMES) spare.push(new WeakRef(whole));
    },
  };
};

/** Sends messages, cold: each Observable publishes on subscribe and completes when the broker took it. */
export interface Publisher {
  publish(topic: string, msg: PartialMessage): Observable<void>;
  publishDeferred(topic: string, msg: PartialMessage, delayMs: number): Observable<void>;
  /** Sends `bytes` as they are (a payload that is not a message), with the same checks but the message's. */
  publishBytes(topic: string, bytes: Uint8Array, delayMs?: number): Observable<void>;
}

/**
 * A {@link Publisher} over `broker`. Before anything is sent, on subscribe:
 * the transport must be open (`TransportClosedError`), the topic valid
 * (`InvalidNameError`), the message valid (`ValidationError`), its body JSON
 * (`BadRequestError`) and its encoding no larger than the broker accepts
 * (`PayloadTooLargeError`). A message missing `type` or `contextID` is sent
 * with them filled in (see {@link completeMessage}); a complete one is encoded
 * as it is, never rewritten.
 *
 * `encodeMessage` must return memory of its own for each message (both wire
 * encodings do): the encoded bytes are handed over to the broker, which sends
 * them without a copy. Bytes given to `publishBytes` are the caller's, and the
 * broker copies them. With the default {@link encode}, a frame of
 * {@link REUSED_FRAME_BYTES} or more is written into the memory of an earlier
 * one once the broker acknowledged that one (it then holds it no longer).
 */
export const createPublisher = (
  broker: Broker,
  counters: Counters,
  isClosed: () => boolean,
  encodeMessage: (msg: Message) => Uint8Array = encode,
): Publisher => {
  /** Topic names already found valid (bounded), so a hot topic is not checked on every send. */
  const validTopics = new Set<string>();
  const frames = encodeMessage === encode ? framePool() : undefined;
  const encodeOne = frames ? (msg: Message) => encodeInto(msg, frames.take) : encodeMessage;
  const send = (
    topic: string,
    partial: PartialMessage | Uint8Array,
    publish: (bytes: Uint8Array, options: BrokerPublishOptions) => Observable<void>,
  ): Observable<void> =>
    // one Observable, not defer + tap: this runs for every message sent
    new Observable<void>((subscriber) => {
      let bytes: Uint8Array;
      let handOver = false;
      if (partial instanceof Uint8Array) {
        const error = checkedTopic(topic);
        if (error !== undefined) {
          subscriber.error(error);
          return undefined;
        }
        bytes = partial;
      } else {
        const msg = checked(topic, partial);
        if (msg instanceof Error) {
          subscriber.error(msg);
          return undefined;
        }
        try {
          bytes = encodeOne(msg);
          handOver = true;
        } catch (error) {
          subscriber.error(
            new BadRequestError('cannot encode message: its body is not JSON', { cause: error }),
          );
          return undefined;
        }
      }
      if (bytes.length > broker.maxMessageBytes) {
        subscriber.error(new PayloadTooLargeError(bytes.length, broker.maxMessageBytes));
        return undefined;
      }
      // the broker emits once when it took the message (callers may unsubscribe right then)
      const sent = bytes;
      return publish(sent, handOver ? HAND_OVER : COPY).subscribe({
        next: () => {
          // acknowledged: the broker is done with a handed-over frame, its memory serves a later one
          if (handOver) frames?.give(sent);
          counters.inc(TransportMetric.published);
          subscriber.next();
        },
        error: (error: unknown) => {
          counters.inc(TransportMetric.publishFailed);
          subscriber.error(error);
        },
        complete: () => subscriber.complete(),
      });
    });

  /** Why nothing can be sent to `topic` now, if so. */
  const checkedTopic = (topic: string): Error | undefined => {
    if (isClosed()) return new TransportClosedError(`publish to ${topic}`);
    if (!validTopics.has(topic)) {
      const name = validateTopic(topic);
      if (isLeft(name)) return name.left;
      if (validTopics.size < MAX_REMEMBERED_TOPICS) validTopics.add(topic);
    }
    return undefined;
  };

  /** The message to send to `topic`, completed, or why it cannot be sent. */
  const checked = (topic: string, partial: PartialMessage): Message | Error => {
    const badTopic = checkedTopic(topic);
    if (badTopic !== undefined) return badTopic;
    const complete = completeMessage(partial);
    if (isLeft(complete)) return complete.left;
    const valid = validateMessage(complete.right);
    return isLeft(valid) ? valid.left : valid.right;
  };

  const sendDeferred = (
    topic: string,
    msg: PartialMessage | Uint8Array,
    delayMs: number,
  ): Observable<void> =>
    typeof delayMs === 'number' && delayMs >= 0 && delayMs <= MAX_TTL_MS
      ? send(topic, msg, (bytes, options) => broker.publishDeferred(topic, bytes, delayMs, options))
      : throwError(
          () =>
            new BadRequestError(`publish delay must be from 0 to ${MAX_TTL_MS} ms, got ${String(delayMs)}`),
        );

  return {
    publish: (topic, msg) => send(topic, msg, (bytes, options) => broker.publish(topic, bytes, options)),
    publishDeferred: sendDeferred,
    publishBytes: (topic, bytes, delayMs) =>
      delayMs === undefined
        ? send(topic, bytes, (encoded, options) => broker.publish(topic, encoded, options))
        : sendDeferred(topic, bytes, delayMs),
  };
};
