/**
 * Streaming replies: both sides, over the node's one stream topic (the wire
 * and why one topic per node: `./streamWire.ts`).
 *
 * @packageDocumentation
 */
import { isLeft, isRight } from 'fp-ts/lib/Either.js';
import { toUndefined } from 'fp-ts/lib/Option.js';
import {
  Observable,
  Subject,
  isObservable,
  takeUntil,
  type SchedulerLike,
  type Subscriber,
  type Subscription,
} from 'rxjs';
import type { JsonObject } from '../codec/json.js';
import { newContextID, type Message } from '../codec/message.js';
import { getError } from '../codec/result.js';
import { decode } from '../codec/wire.js';
import { HeaderKey } from '../constant/headerKey.js';
import { MessageType } from '../constant/messageType.js';
import { StatusCode } from '../constant/status.js';
import { MAX_TTL_MS } from '../constant/limits.js';
import { ConversationLimitError, DuplicateConversationError } from '../context/errors.js';
import { BadRequestError, ConfigError, TimeoutError, TransportClosedError } from '../errors.js';
import type { ILogger } from '../logger/types.js';
import type { Broker } from '../broker/types.js';
import { ResponseError } from './errors.js';
import { Fifo } from '../broker/memory/fifo.js';
import { REPLY_CHANNEL } from './request.js';
import { isErrorResponse, statusOfError } from './respond.js';
import { StreamIdleError, StreamOverflowError, StreamProtocolError } from './streamErrors.js';
import type {
  RequestStreamOptions,
  RespondStreamOptions,
  StreamEnd,
  StreamItem,
  StreamSource,
} from './streamTypes.js';
import {
  DEFAULT_STREAM_WINDOW,
  MAX_STREAM_WINDOW,
  StreamHeader,
  controlFrame,
  endFrame,
  itemFrame,
  parseCount,
} from './streamWire.js';

/** Default bound of what an Observable source may run ahead of the credits. */
export const DEFAULT_MAX_BUFFERED = 10_000;

/** Most messages in flight on the stream topic; each is finished as soon as it is handled. */
const STREAM_MAX_IN_FLIGHT = 2_500;

/** How many contexts a node remembers having cancelled (so that a burst of late items gets one cancel). */
const MAX_REMEMBERED_CANCELS = 1_024;

/** What {@link createStreams} needs. */
export interface StreamsContext {
  readonly broker: Broker;
  readonly scheduler: SchedulerLike;
  readonly logger: ILogger;
  /** This node's stream topic, {@link streamTopicOf}. */
  readonly streamTopic: string;
  readonly requestTimeoutMs: number;
  /** Most streams open at once on each side. */
  readonly maxStreams: number;
  /** Cold publish: completes when the broker took the message. */
  readonly publish: (topic: string, msg: Message) => Observable<void>;
  /** Reads a message off the stream topic: the transport's wire (strict, or the Go `mini`'s JSON); default strict. */
  readonly decode?: (body: Uint8Array) => ReturnType<typeof decode>;
}

/** Both sides of streaming replies on one node. */
export interface Streams {
  requestStream(action: string, body: JsonObject, options: RequestStreamOptions): Observable<Message>;
  respondStream(request: Message, source: StreamSource, options: RespondStreamOptions): Promise<StreamEnd>;
  /** Streams this node requested and that are still open. */
  readonly requesting: number;
  /** Streams this node serves now. */
  readonly responding: number;
  /** Ends every stream (requesters error with `TransportClosedError`, sources are stopped) and stops consuming. */
  shutdown(): void;
}

/** A stream this node requested. */
interface Inbound {
  readonly action: string;
  readonly window: number;
  readonly creditEvery: number;
  readonly timeout: number;
  readonly idleTimeout: number;
  readonly subscriber: Subscriber<Message>;
  /** The next sequence number to emit (= items consumed, once `next` returned). */
  next: number;
  /** The last credit sent. */
  credited: number;
  /** Items that came before their turn, by sequence number (at most `window` + 1). */
  readonly early: Map<number, Message>;
  /** Whether a reply came (from then on the idle timeout runs). */
  started: boolean;
  /** The responder's stream topic, from its first reply. */
  controlTopic: string | undefined;
  lastReplyAt: number;
  timer: Subscription | undefined;
  done: boolean;
}

/** A stream this node serves. */
interface Outbound {
  readonly id: string;
  readonly replyTo: string;
  readonly window: number;
  readonly stallMs: number;
  readonly maxBuffered: number;
  /** Items published (= the next sequence number). */
  sent: number;
  /** Items the requester has consumed, from its credits. */
  acked: number;
  /** Items taken from the source and not yet published. */
  readonly queue: Fifo<StreamItem>;
  /** The end frame to send once the queue is empty. */
  end: { readonly error?: Error } | undefined;
  /** Stops an Observable source (even one that emits synchronously). */
  readonly stop: Subject<void>;
  source: Subscription | undefined;
  iterator: AsyncIterator<StreamItem> | undefined;
  pulling: boolean;
  stall: Subscription | undefined;
  done: boolean;
  readonly resolve: (end: StreamEnd) => void;
}

const checkMs = (name: string, value: number): ConfigError | undefined =>
  typeof value === 'number' && value >= 0 && value <= MAX_TTL_MS
    ? undefined
    : new ConfigError(
        `requestStream ${name} must be a number of ms from 0 to ${MAX_TTL_MS}, got ${String(value)}`,
      );

/** The error of an error reply (or error response), as `request` makes it. */
const responseError = (action: string, reply: Message): ResponseError =>
  new ResponseError(
    action,
    reply.statusCode !== undefined && reply.statusCode >= 400 ? reply.statusCode : StatusCode.INTERNAL,
    toUndefined(getError(reply)) ?? '',
    reply,
  );

const isAsyncIterable = (value: unknown): value is AsyncIterable<StreamItem> =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as Partial<AsyncIterable<unknown>>)[Symbol.asyncIterator] === 'function';

/**
 * Creates both sides of streaming replies. The node's stream topic is
 * consumed once, lazily (on the first stream either way), until `shutdown`.
 */
export const createStreams = (ctx: StreamsContext): Streams => {
  const { scheduler, logger, streamTopic } = ctx;
  const inbound = new Map<string, Inbound>();
  const outbound = new Map<string, Outbound>();
  const cancelled = new Set<string>();
  let inbox: Subscription | undefined;
  let closed = false;

  const send = (topic: string, msg: Message, what: string, onError?: (error: unknown) => void): void => {
    ctx.publish(topic, msg).subscribe({
      error: (error: unknown) => {
        logger.warn(`transport: could not send a stream ${what}`, {
          topic,
          contextID: msg.contextID,
          error: error instanceof Error ? error.message : String(error),
        });
        onError?.(error);
      },
    });
  };

  // ---- requester side --------------------------------------------------------

  const finishInbound = (id: string, state: Inbound): void => {
    state.done = true;
    state.timer?.unsubscribe();
    state.early.clear();
    inbound.delete(id);
  };

  const cancelRemote = (id: string, controlTopic: string): void => {
    if (cancelled.has(id)) return;
    if (cancelled.size >= MAX_REMEMBERED_CANCELS) {
      const oldest = cancelled.values().next();
      if (oldest.done !== true) cancelled.delete(oldest.value);
    }
    cancelled.add(id);
    send(controlTopic, controlFrame(id, 'cancel'), 'cancel');
  };

  const failInbound = (id: string, state: Inbound, error: Error): void => {
    finishInbound(id, state);
    if (state.controlTopic !== undefined) cancelRemote(id, state.controlTopic);
    state.subscriber.error(error);
  };

  /** Arms the timer for the first reply (`timeout`) or the next one (`idleTimeout`): one scheduled check, not one per item. */
  const armTimer = (id: string, state: Inbound, delay: number): void => {
    state.timer = scheduler.schedule(() => {
      if (state.done) return;
      if (!state.started) {
        failInbound(id, state, new TimeoutError(`requestStream ${state.action}`, state.timeout));
        return;
      }
      const quiet = scheduler.now() - state.lastReplyAt;
      if (quiet >= state.idleTimeout) {
        failInbound(id, state, new StreamIdleError(state.action, state.idleTimeout, state.next));
      } else {
        armTimer(id, state, state.idleTimeout - quiet);
      }
    }, delay);
  };

  const onItem = (msg: Message, id: string): void => {
    const state = inbound.get(id);
    const seq = parseCount(msg.header?.[StreamHeader.SEQ]);
    if (state === undefined) {
      // a late item (after a cancel, a timeout, an error): tell its responder to stop
      if (msg.header?.[StreamHeader.END] === undefined && msg.replyTo) cancelRemote(id, msg.replyTo);
      return;
    }
    if (seq === undefined) {
      failInbound(
        id,
        state,
        new StreamProtocolError(state.action, 'a stream reply without a sequence number'),
      );
      return;
    }
    if (!state.started) {
      // from now on the idle timeout runs
      state.started = true;
      state.controlTopic = msg.replyTo;
      state.timer?.unsubscribe();
      armTimer(id, state, state.idleTimeout);
    }
    state.lastReplyAt = scheduler.now();
    if (seq < state.next || state.early.has(seq)) return; // a duplicate: NSQ delivers at least once
    if (seq > state.next + state.window) {
      failInbound(
        id,
        state,
        new StreamProtocolError(
          state.action,
          `sequence ${seq} is beyond the window (next ${state.next}, window ${state.window})`,
        ),
      );
      return;
    }
    state.early.set(seq, msg);
    let current = state.early.get(state.next);
    while (current !== undefined) {
      state.early.delete(state.next);
      const end = current.header?.[StreamHeader.END];
      if (end !== undefined) {
        finishInbound(id, state);
        if (end === 'complete') {
          state.subscriber.complete();
        } else {
          state.subscriber.error(responseError(state.action, current));
        }
        return;
      }
      state.next += 1;
      state.subscriber.next(current);
      if (state.done) return; // the subscriber unsubscribed from inside next
      if (state.next - state.credited >= state.creditEvery && state.controlTopic !== undefined) {
        state.credited = state.next;
        send(state.controlTopic, controlFrame(id, { credit: state.next }), 'credit');
      }
      current = state.early.get(state.next);
    }
  };

  // ---- responder side ----------------------------------------------------------

  const stopSource = (state: Outbound): void => {
    state.stop.next();
    state.source?.unsubscribe();
    state.source = undefined;
    const iterator = state.iterator;
    state.iterator = undefined;
    if (iterator?.return !== undefined) {
      iterator.return().then(
        () => undefined,
        () => undefined,
      );
    }
  };

  const endOutbound = (state: Outbound, reason: StreamEnd['reason']): void => {
    if (state.done) return;
    state.done = true;
    state.stall?.unsubscribe();
    outbound.delete(state.id);
    stopSource(state);
    state.queue.clear();
    state.resolve({ reason, sent: state.sent });
  };

  /** Sends what credits allow, then the end once everything before it is out. */
  const flush = (state: Outbound): void => {
    while (!state.done && state.queue.length > 0 && state.sent < state.acked + state.window) {
      const item = state.queue.shift() as StreamItem;
      const seq = state.sent;
      state.sent += 1;
      send(state.replyTo, itemFrame(state.id, streamTopic, seq, item), 'item', (error) => {
        // an item that cannot be sent (too large, transport closed): the error takes its place in the sequence
        if (!state.done) sendEnd(state, seq, error instanceof Error ? error : new Error(String(error)));
      });
    }
    if (state.done) return;
    if (state.queue.length === 0 && state.end !== undefined) {
      sendEnd(state, state.sent, state.end.error);
      return;
    }
    if (state.iterator !== undefined) pull(state);
    armStall(state);
  };

  const sendEnd = (state: Outbound, seq: number, error: Error | undefined): void => {
    const frame = endFrame(
      state.id,
      streamTopic,
      seq,
      error === undefined ? undefined : { error, status: statusOfError(error) },
    );
    const reason = error === undefined ? 'complete' : 'error';
    endOutbound(state, reason);
    send(state.replyTo, frame, 'end');
  };

  /** Waiting for credits with something to send: give up after the requester's idle timeout. */
  const armStall = (state: Outbound): void => {
    const blocked =
      state.sent >= state.acked + state.window && (state.queue.length > 0 || state.iterator !== undefined);
    if (!blocked) {
      state.stall?.unsubscribe();
      state.stall = undefined;
      return;
    }
    if (state.stall !== undefined) return;
    state.stall = scheduler.schedule(() => {
      state.stall = undefined;
      if (state.done) return;
      logger.warn('transport: a stream got no credit for its idle timeout, its source is stopped', {
        contextID: state.id,
        sent: state.sent,
        acked: state.acked,
      });
      endOutbound(state, 'abandoned');
    }, state.stallMs);
  };

  const take = (state: Outbound, item: StreamItem): void => {
    if (state.done || state.end !== undefined) return;
    state.queue.push(item);
    if (state.queue.length > state.maxBuffered) {
      state.queue.clear();
      state.end = { error: new StreamOverflowError(state.id, state.maxBuffered) };
      stopSource(state);
    }
    flush(state);
  };

  const finishSource = (state: Outbound, error?: Error): void => {
    if (state.done || state.end !== undefined) return;
    state.source = undefined;
    state.iterator = undefined;
    state.end = error === undefined ? {} : { error };
    flush(state);
  };

  const pull = (state: Outbound): void => {
    const iterator = state.iterator;
    if (iterator === undefined || state.pulling || state.done) return;
    if (state.sent + state.queue.length >= state.acked + state.window) return;
    state.pulling = true;
    let result: Promise<IteratorResult<StreamItem>>;
    try {
      result = iterator.next();
    } catch (error) {
      state.pulling = false;
      finishSource(state, error instanceof Error ? error : new Error(String(error)));
      return;
    }
    result.then(
      (step) => {
        state.pulling = false;
        if (state.iterator !== iterator) return;
        if (step.done === true) finishSource(state);
        else take(state, step.value);
      },
      (error: unknown) => {
        state.pulling = false;
        if (state.iterator !== iterator) return;
        finishSource(state, error instanceof Error ? error : new Error(String(error)));
      },
    );
  };

  const onControl = (msg: Message, id: string): void => {
    const state = outbound.get(id);
    if (state === undefined) return; // over already; credits and cancels of old streams are harmless
    if (msg.header?.[StreamHeader.CANCEL] !== undefined) {
      endOutbound(state, 'cancelled');
      return;
    }
    const credit = parseCount(msg.header?.[StreamHeader.CREDIT]);
    if (credit === undefined || credit <= state.acked) return;
    state.acked = Math.min(credit, state.sent);
    state.stall?.unsubscribe();
    state.stall = undefined;
    flush(state);
  };

  // ---- the stream topic ----------------------------------------------------------

  /**
   * A plain response to a stream request (`bus.respond`, or a service's
   * answer to a failed call: 400, 404, a thrown error) ends the stream: an
   * error response as an error reply, any other as a stream of that one message.
   */
  const onResponse = (msg: Message, id: string): void => {
    const state = inbound.get(id);
    if (state === undefined) return;
    finishInbound(id, state);
    if (isErrorResponse(msg)) {
      state.subscriber.error(responseError(state.action, msg));
      return;
    }
    state.subscriber.next(msg);
    state.subscriber.complete();
  };

  const onMessage = (body: Uint8Array): void => {
    const decoded = (ctx.decode ?? decode)(body);
    if (isRight(decoded) && decoded.right.type === MessageType.RESPONSE && decoded.right.contextID) {
      onResponse(decoded.right, decoded.right.contextID);
      return;
    }
    if (isLeft(decoded) || decoded.right.type !== MessageType.STREAM || !decoded.right.contextID) {
      logger.warn('transport: dropped an invalid message on the stream topic', {
        topic: streamTopic,
        reason: isLeft(decoded) ? decoded.left.message : 'not a stream message with a contextID',
      });
      return;
    }
    const msg = decoded.right;
    const id = decoded.right.contextID;
    const header = msg.header;
    if (header !== undefined && header[StreamHeader.SEQ] !== undefined) onItem(msg, id);
    else onControl(msg, id);
  };

  const ensureInbox = (): void => {
    if (inbox && !inbox.closed) return;
    inbox = ctx.broker
      .consume({
        topic: streamTopic,
        channel: REPLY_CHANNEL,
        maxInFlight: STREAM_MAX_IN_FLIGHT,
        lowLatency: true,
      })
      .subscribe({
        next: (raw) => {
          try {
            onMessage(raw.body);
          } finally {
            raw.finish();
          }
        },
        error: (error: unknown) => {
          // the next stream opens it again; the open ones time out
          logger.error('transport: stream consumer failed', {
            topic: streamTopic,
            error: error instanceof Error ? error.message : String(error),
          });
        },
      });
  };

  const requestStream = (
    action: string,
    body: JsonObject,
    options: RequestStreamOptions,
  ): Observable<Message> =>
    new Observable<Message>((subscriber) => {
      if (closed) {
        subscriber.error(new TransportClosedError(`requestStream ${action}`));
        return undefined;
      }
      const timeout = options.timeout ?? ctx.requestTimeoutMs;
      const idleTimeout = options.idleTimeout ?? timeout;
      const window = options.window ?? DEFAULT_STREAM_WINDOW;
      const bad =
        checkMs('timeout', timeout) ??
        checkMs('idleTimeout', idleTimeout) ??
        (Number.isSafeInteger(window) && window >= 1 && window <= MAX_STREAM_WINDOW
          ? undefined
          : new ConfigError(
              `requestStream window must be an integer from 1 to ${MAX_STREAM_WINDOW}, got ${String(window)}`,
            ));
      if (bad) {
        subscriber.error(bad);
        return undefined;
      }
      const id = options.contextID ?? newContextID();
      if (inbound.has(id)) {
        subscriber.error(new DuplicateConversationError(id));
        return undefined;
      }
      if (inbound.size >= ctx.maxStreams) {
        subscriber.error(new ConversationLimitError(id, ctx.maxStreams));
        return undefined;
      }
      ensureInbox();
      const state: Inbound = {
        action,
        window,
        creditEvery: Math.max(1, Math.floor(window / 4)),
        timeout,
        idleTimeout,
        subscriber,
        next: 0,
        credited: 0,
        early: new Map(),
        started: false,
        controlTopic: undefined,
        lastReplyAt: scheduler.now(),
        timer: undefined,
        done: false,
      };
      inbound.set(id, state);
      armTimer(id, state, timeout);
      const header: Record<string, string> = options.header === undefined ? {} : { ...options.header };
      header[HeaderKey.DEADLINE] = String(Math.floor(timeout));
      header[StreamHeader.WINDOW] = String(window);
      header[StreamHeader.IDLE] = String(Math.floor(idleTimeout));
      const sending = ctx
        .publish(action, {
          type: MessageType.REQUEST,
          node: action,
          contextID: id,
          replyTo: streamTopic,
          header,
          body,
        })
        .subscribe({
          error: (error: unknown) => {
            if (state.done) return;
            finishInbound(id, state);
            subscriber.error(error);
          },
        });
      return () => {
        sending.unsubscribe();
        if (state.done) return;
        finishInbound(id, state);
        // the responder learns of it at once when known, else at its first item (see onItem)
        if (state.controlTopic !== undefined) cancelRemote(id, state.controlTopic);
      };
    });

  const respondStream = (
    request: Message,
    source: StreamSource,
    options: RespondStreamOptions,
  ): Promise<StreamEnd> => {
    if (closed) return Promise.reject(new TransportClosedError('respondStream'));
    if (typeof request !== 'object' || request === null) {
      return Promise.reject(new BadRequestError('cannot respond to a stream: the request is not a message'));
    }
    const { replyTo, contextID: id, header } = request;
    if (typeof replyTo !== 'string' || replyTo === '' || typeof id !== 'string' || id === '') {
      return Promise.reject(
        new BadRequestError('cannot respond to a stream: the request has no replyTo or contextID'),
      );
    }
    const window = parseCount(header?.[StreamHeader.WINDOW]);
    if (window === undefined || window < 1 || window > MAX_STREAM_WINDOW) {
      return Promise.reject(
        new BadRequestError(
          `cannot respond to a stream: the request has no valid ${StreamHeader.WINDOW} header`,
        ),
      );
    }
    const maxBuffered = options.maxBuffered ?? DEFAULT_MAX_BUFFERED;
    if (!(
      maxBuffered === Number.POSITIVE_INFINITY ||
      (Number.isSafeInteger(maxBuffered) && maxBuffered >= 1)
    )) {
      return Promise.reject(
        new ConfigError(
          `respondStream maxBuffered must be a positive integer or Infinity, got ${String(maxBuffered)}`,
        ),
      );
    }
    if (outbound.has(id)) return Promise.reject(new DuplicateConversationError(id));
    if (outbound.size >= ctx.maxStreams)
      return Promise.reject(new ConversationLimitError(id, ctx.maxStreams));
    if (!isObservable(source) && !isAsyncIterable(source)) {
      return Promise.reject(
        new BadRequestError('respondStream: the source is neither an Observable nor an AsyncIterable'),
      );
    }
    ensureInbox();
    return new Promise<StreamEnd>((resolve) => {
      const state: Outbound = {
        id,
        replyTo,
        window,
        stallMs: parseCount(header?.[StreamHeader.IDLE]) ?? ctx.requestTimeoutMs,
        maxBuffered,
        sent: 0,
        acked: 0,
        queue: new Fifo<StreamItem>(),
        end: undefined,
        stop: new Subject<void>(),
        source: undefined,
        iterator: undefined,
        pulling: false,
        stall: undefined,
        done: false,
        resolve,
      };
      outbound.set(id, state);
      if (isObservable(source)) {
        const subscription = source.pipe(takeUntil(state.stop)).subscribe({
          next: (item) => take(state, item),
          error: (error: unknown) =>
            finishSource(state, error instanceof Error ? error : new Error(String(error))),
          complete: () => finishSource(state),
        });
        // a source that ended (or was stopped) while subscribing must not be kept
        if (state.done || state.end !== undefined) subscription.unsubscribe();
        else state.source = subscription;
      } else {
        try {
          state.iterator = source[Symbol.asyncIterator]();
        } catch (error) {
          finishSource(state, error instanceof Error ? error : new Error(String(error)));
          return;
        }
        pull(state);
      }
    });
  };

  return {
    requestStream,
    respondStream,
    get requesting() {
      return inbound.size;
    },
    get responding() {
      return outbound.size;
    },
    shutdown() {
      if (closed) return;
      closed = true;
      for (const [id, state] of [...inbound]) {
        finishInbound(id, state);
        state.subscriber.error(new TransportClosedError(`requestStream ${state.action}`));
      }
      for (const state of [...outbound.values()]) {
        // the requester learns of it at once rather than at its idle timeout (the broker is still open here)
        const frame = endFrame(state.id, streamTopic, state.sent, {
          error: new TransportClosedError('respondStream'),
          status: 503,
        });
        endOutbound(state, 'closed');
        send(state.replyTo, frame, 'end');
      }
      inbox?.unsubscribe();
      inbox = undefined;
    },
  };
};
