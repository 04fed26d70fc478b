import type { Observable, SchedulerLike } from 'rxjs';

/**
 * What a caller hands to {@link ConversationStore.add}: the conversation's id,
 * kept exactly as given, and what it wants remembered with it.
 *
 * @example
 * ```ts
 * import type { ConversationInit } from 'rxmini';
 * const init: ConversationInit = { id: 'trace-42', replyTo: '_reply.node-1#ephemeral' };
 * ```
 */
export interface ConversationInit {
  /** The context id responses will carry; any non-empty string, never rewritten. */
  readonly id: string;
  /** The topic the response is expected on. */
  readonly replyTo?: string;
  /** Anything else to keep with the conversation (action name, trace id, …). */
  readonly meta?: Readonly<Record<string, unknown>>;
}

/**
 * One open conversation, as stored: the {@link ConversationInit} plus its
 * timestamps (milliseconds of the store's scheduler). Immutable.
 *
 * @example
 * ```ts
 * import { createConversationStore, type Conversation } from 'rxmini';
 * const conversation: Conversation = createConversationStore().add({ id: 'c-1' });
 * conversation.expiresAt - conversation.createdAt; // 60_000, the default TTL
 * ```
 */
export interface Conversation extends ConversationInit {
  /** `scheduler.now()` when it was added. */
  readonly createdAt: number;
  /** When its TTL runs out: `createdAt + ttlMs`. */
  readonly expiresAt: number;
}

/**
 * The kinds of {@link ConversationEvent}.
 * - `added`: a conversation was opened.
 * - `done`: a response was taken by a live conversation.
 * - `expired`: its TTL ran out, or its last waiter timed out.
 * - `cancelled`: its last waiter unsubscribed, it was deleted, or the store shut down.
 * - `late`: a response came for an id that is unknown, expired or already answered; it was dropped.
 *
 * @example
 * ```ts
 * import { filter } from 'rxjs';
 * import { ConversationEventType, createConversationStore } from 'rxmini';
 * const store = createConversationStore();
 * store.events$
 *   .pipe(filter((e) => e.type === ConversationEventType.late))
 *   .subscribe(({ id }) => log.warn('late response', { id }));
 * ```
 */
export const ConversationEventType = {
  added: 'added',
  done: 'done',
  expired: 'expired',
  cancelled: 'cancelled',
  late: 'late',
} as const;

/** Union of the {@link ConversationEventType} names. */
export type ConversationEventType = (typeof ConversationEventType)[keyof typeof ConversationEventType];

/**
 * One lifecycle event of a conversation, as emitted on {@link ConversationStore.events$}.
 *
 * @example
 * ```ts
 * import type { ConversationEvent } from 'rxmini';
 * const event: ConversationEvent = { type: 'late', id: 'c-1', at: 61_000 };
 * ```
 */
export interface ConversationEvent {
  readonly type: ConversationEventType;
  /** The conversation (or, for `late`, the response's) context id. */
  readonly id: string;
  /** `scheduler.now()` when it happened. */
  readonly at: number;
}

/**
 * Counters of a {@link ConversationStore} since it was created, plus its size.
 *
 * @example
 * ```ts
 * import { createConversationStore, type ConversationStats } from 'rxmini';
 * const stats: ConversationStats = createConversationStore().stats();
 * stats.late; // responses dropped because no live conversation took them
 * ```
 */
export interface ConversationStats {
  /** Conversations opened. */
  readonly added: number;
  /** Responses taken by a live conversation. */
  readonly done: number;
  /** Conversations ended by their TTL or by their last waiter's timeout. */
  readonly expired: number;
  /** Conversations ended by an unsubscribe, `delete` or `shutdown`. */
  readonly cancelled: number;
  /** Responses dropped: unknown, expired or already-answered id. */
  readonly late: number;
  /** `add` calls refused (duplicate id, store full, store shut down). */
  readonly rejected: number;
  /** Conversations currently held. */
  readonly size: number;
}

/**
 * Options of {@link createConversationStore}.
 *
 * @example
 * ```ts
 * import { createConversationStore, type ConversationStoreOptions } from 'rxmini';
 * const options: ConversationStoreOptions = { ttlMs: 30_000, maxSize: 1_000 };
 * const store = createConversationStore(options);
 * ```
 */
export interface ConversationStoreOptions {
  /**
   * Every conversation is dropped this long after `add`, waited for or not; default 60 000 ms.
   * `Infinity`: no TTL (and no timer per conversation) — only for callers that
   * always wait with `waitTimeout` and never leave a conversation unwaited.
   */
  readonly ttlMs?: number;
  /** Most conversations held at once; `add` beyond it throws. Default 10 000. */
  readonly maxSize?: number;
  /** Clock and timers (TTL, `waitTimeout`); default `asyncScheduler`. */
  readonly scheduler?: SchedulerLike;
}

/**
 * Conversations waiting for a response, by context id: the map that matches a
 * muxed reply topic's responses to their callers. A response reaches the
 * conversation with its id or nobody: after a timeout, a cancel or an expiry it
 * is dropped and counted as `late`.
 *
 * Every conversation ends exactly once: `done` (a response came), `expired`
 * (TTL or waiter timeout), or `cancelled` (unsubscribe, `delete`, `shutdown`).
 *
 * @typeParam T - The response type (a `Message` for request/response).
 * @example
 * ```ts
 * import { createConversationStore } from 'rxmini';
 * const store = createConversationStore<string>({ ttlMs: 30_000 });
 * store.add({ id: 'c-1', replyTo: '_reply.node-1#ephemeral' });
 * store.waitTimeout('c-1', 5_000).subscribe((reply) => log.info('reply', { reply })); // 'pong'
 * store.done('c-1', 'pong'); // true: delivered to the waiter above
 * store.done('c-1', 'pong'); // false: counted in stats().late
 * ```
 * @see {@link createConversationStore}
 */
export interface ConversationStore<T = unknown> {
  /**
   * Opens a conversation under `init.id`, as given. Throws a `BadRequestError`
   * for an empty id, a `DuplicateConversationError` if that id is open, a
   * `ConversationLimitError` when `maxSize` are open, a `TransportClosedError`
   * after `shutdown`.
   */
  add(init: ConversationInit): Conversation;
  /** The open conversation under `id` (also one answered but not yet collected by a waiter). */
  get(id: string): Conversation | undefined;
  /** Whether `get(id)` would find one. */
  has(id: string): boolean;
  /** How many conversations are held. */
  readonly size: number;
  /** Calls `fn` for each conversation, oldest first, until it returns `false`. */
  range(fn: (id: string, conversation: Conversation) => boolean | void): void;
  /** Ends the conversation as `cancelled`; its waiters get a `ConversationCancelledError`. */
  delete(id: string): boolean;
  /**
   * Hands `response` to the conversation `id`. True if a live conversation took
   * it: its waiters get it, or, with none subscribed yet, the first `wait` does.
   * False (and counted `late`) if the id is unknown, expired, cancelled or
   * already answered — the response then goes nowhere.
   */
  done(id: string, response: T): boolean;
  /**
   * Cold: on subscribe, waits for the response of `id`, emits it and completes.
   * Errors with `NotFoundError` if `id` is not open, `TimeoutError` when the TTL
   * runs out. Unsubscribing before the response cancels the conversation
   * (unless other waiters remain).
   */
  wait(id: string): Observable<T>;
  /**
   * {@link ConversationStore.wait}, erroring with a `TimeoutError` `timeoutMs`
   * after subscribe on the store's scheduler. The conversation then ends
   * (`expired`, unless other waiters remain) so a late response is dropped.
   */
  waitTimeout(id: string, timeoutMs: number): Observable<T>;
  /** Lifecycle events: hot, multicast, no replay; completes on `shutdown`. */
  readonly events$: Observable<ConversationEvent>;
  /** Counters so far and the current size. */
  stats(): ConversationStats;
  /**
   * Ends every conversation as `cancelled`, errors its waiters with a
   * `TransportClosedError`, stops the TTL timers and completes `events$`.
   * Final: `add` throws afterwards. Calling it again does nothing.
   */
  shutdown(): void;
  /** True after `shutdown`. */
  readonly closed: boolean;
}
