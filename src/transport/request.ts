/**
 * Request/response over one muxed reply topic per node: responses are matched
 * to their callers by `contextID` in a conversation store.
 *
 * @packageDocumentation
 */
import { isLeft, type Either } from 'fp-ts/lib/Either.js';
import { toUndefined } from 'fp-ts/lib/Option.js';
import { Observable, type SchedulerLike, type Subscription } from 'rxjs';
import { getError } from '../codec/result.js';
import type { JsonObject } from '../codec/json.js';
import { newContextID, type Message } from '../codec/message.js';
import { decode } from '../codec/wire.js';
import { HeaderKey } from '../constant/headerKey.js';
import { MessageType } from '../constant/messageType.js';
import { StatusCode } from '../constant/status.js';
import { createConversationStore } from '../context/createConversationStore.js';
import type { ConversationStore } from '../context/types.js';
import { ConfigError, TimeoutError, TransportClosedError, type DecodeError } from '../errors.js';
import type { ILogger } from '../logger/types.js';
import { MAX_TTL_MS } from '../constant/limits.js';
import type { Broker } from '../broker/types.js';
import { TransportMetric, type Counters } from './counters.js';
import { ResponseError } from './errors.js';
import { isErrorResponse } from './respond.js';
import type { RequestOptions } from './types.js';

/** Channel of the reply topic: ephemeral, so it goes away with the node. */
export const REPLY_CHANNEL = 'replies#ephemeral';

/** Most replies in flight on the reply topic; each is finished as soon as it is matched. */
const REPLY_MAX_IN_FLIGHT = 2_500;

/**
 * The reply topic of a node.
 *
 * @example
 * ```ts
 * import { replyTopicOf } from 'rxmini';
 * replyTopicOf('n1'); // '_reply.n1#ephemeral'
 * ```
 */
export const replyTopicOf = (nodeId: string): string => `_reply.${nodeId}#ephemeral`;

/** What a {@link Requester} needs. */
export interface RequesterContext {
  readonly broker: Broker;
  readonly scheduler: SchedulerLike;
  readonly logger: ILogger;
  readonly counters: Counters;
  readonly replyTopic: string;
  readonly requestTimeoutMs: number;
  readonly maxPendingRequests: number;
  /** Cold publish: completes when the broker took the message. */
  readonly publish: (topic: string, msg: Message) => Observable<void>;
  /** Bytes to message (the transport's wire form); default {@link decode}. */
  readonly decode?: (bytes: Uint8Array) => Either<DecodeError, Message>;
}

/** Sends requests and matches their responses. */
export interface Requester {
  request(action: string, body: JsonObject, options: RequestOptions): Observable<Message>;
  /** Requests waiting for a response. */
  readonly pending: number;
  /** Fails every pending request with `TransportClosedError` and stops consuming replies. */
  shutdown(): void;
}

const checkTimeout = (timeout: number): ConfigError | undefined =>
  typeof timeout === 'number' && timeout >= 0 && timeout <= MAX_TTL_MS
    ? undefined
    : new ConfigError(
        `request timeout must be a number of ms from 0 to ${MAX_TTL_MS}, got ${String(timeout)}`,
      );

/**
 * Creates the request side of a transport. The reply topic is consumed once,
 * lazily, on the first request (low latency, shared by every request) and
 * until `shutdown`.
 */
export const createRequester = (ctx: RequesterContext): Requester => {
  const { scheduler, counters, logger, replyTopic } = ctx;
  const decodeReply = ctx.decode ?? decode;
  // every request waits with its own timeout (subscribed before it publishes), so no TTL timer is needed
  const store: ConversationStore<Message> = createConversationStore<Message>({
    ttlMs: Infinity,
    maxSize: ctx.maxPendingRequests,
    scheduler,
  });
  let inbox: Subscription | undefined;

  const onReply = (body: Uint8Array): void => {
    const decoded = decodeReply(body);
    if (isLeft(decoded) || decoded.right.type !== MessageType.RESPONSE || !decoded.right.contextID) {
      counters.inc(TransportMetric.invalidReplies);
      logger.warn('transport: dropped an invalid reply', {
        topic: replyTopic,
        reason: isLeft(decoded) ? decoded.left.message : 'not a response with a contextID',
      });
      return;
    }
    if (!store.done(decoded.right.contextID, decoded.right)) {
      counters.inc(TransportMetric.lateReplies);
      logger.debug('transport: dropped a late reply', { contextID: decoded.right.contextID });
    }
  };

  const ensureInbox = (): void => {
    if (inbox && !inbox.closed) return;
    inbox = ctx.broker
      .consume({
        topic: replyTopic,
        channel: REPLY_CHANNEL,
        maxInFlight: REPLY_MAX_IN_FLIGHT,
        lowLatency: true,
      })
      .subscribe({
        next: (raw) => {
          // the caller first (its next request then leaves before this FIN), the FIN whatever happens
          try {
            onReply(raw.body);
          } finally {
            raw.finish();
          }
        },
        error: (error: unknown) => {
          // the next request opens it again; the waiting ones time out
          logger.error('transport: reply consumer failed', {
            topic: replyTopic,
            error: error instanceof Error ? error.message : String(error),
          });
        },
      });
  };

  const request = (action: string, body: JsonObject, options: RequestOptions): Observable<Message> =>
    // one Observable per request (the checks run on subscribe, as with defer)
    new Observable<Message>((subscriber) => {
      if (store.closed) {
        subscriber.error(new TransportClosedError(`request ${action}`));
        return undefined;
      }
      const timeout = options.timeout ?? ctx.requestTimeoutMs;
      const badTimeout = checkTimeout(timeout);
      if (badTimeout) {
        subscriber.error(badTimeout);
        return undefined;
      }
      const id = options.contextID ?? newContextID();
      try {
        store.add({ id, replyTo: replyTopic, meta: { action } });
      } catch (error) {
        subscriber.error(error);
        return undefined;
      }
      ensureInbox();
      const header: Record<string, string> = options.header === undefined ? {} : { ...options.header };
      header[HeaderKey.DEADLINE] = String(Math.floor(timeout));
      const message: Message = {
        type: MessageType.REQUEST,
        node: action,
        contextID: id,
        replyTo: replyTopic,
        header,
        body,
      };
      const startedAt = scheduler.now();
      counters.inc(TransportMetric.requests);
      // wait before publishing, so that no reply can come before anyone waits for it
      const wait = store.waitTimeout(id, timeout).subscribe({
        next: (response) => {
          counters.observe(TransportMetric.requestMs, Math.max(0, scheduler.now() - startedAt));
          if (!isErrorResponse(response)) {
            subscriber.next(response);
            subscriber.complete();
            return;
          }
          subscriber.error(
            new ResponseError(
              action,
              response.statusCode !== undefined && response.statusCode >= 400
                ? response.statusCode
                : StatusCode.INTERNAL,
              toUndefined(getError(response)) ?? '',
              response,
            ),
          );
        },
        error: (error: unknown) => {
          if (error instanceof TimeoutError) {
            counters.inc(TransportMetric.requestTimeouts);
            subscriber.error(new TimeoutError(`request ${action}`, timeout, { cause: error }));
          } else {
            subscriber.error(error);
          }
        },
      });
      const sending = ctx.publish(options.topic ?? action, message).subscribe({
        error: (error: unknown) => {
          wait.unsubscribe();
          subscriber.error(error);
        },
      });
      return () => {
        sending.unsubscribe();
        wait.unsubscribe();
      };
    });

  return {
    request,
    get pending() {
      return store.size;
    },
    shutdown() {
      store.shutdown();
      inbox?.unsubscribe();
      inbox = undefined;
    },
  };
};
