import { Observable, Subject, asyncScheduler, type SchedulerLike, type Subscription } from 'rxjs';
import {
  BadRequestError,
  ConfigError,
  NotFoundError,
  TimeoutError,
  TransportClosedError,
} from '../errors.js';
import { MAX_TTL_MS } from '../constant/limits.js';
import { expireAfter } from '../operators/expireAfter.js';
import { ConversationCancelledError, ConversationLimitError, DuplicateConversationError } from './errors.js';
import type {
  Conversation,
  ConversationEvent,
  ConversationEventType,
  ConversationInit,
  ConversationStats,
  ConversationStore,
  ConversationStoreOptions,
} from './types.js';

/** Default TTL of a conversation: 60 s. */
export const DEFAULT_CONVERSATION_TTL_MS = 60_000;

/** Default bound of a conversation store: 10 000 open conversations. */
export const DEFAULT_MAX_CONVERSATIONS = 10_000;

interface Waiter<T> {
  deliver(response: T): void;
  fail(error: Error): void;
}

interface Entry<T> {
  readonly conversation: Conversation;
  /** Usually one; an array, not a Set: cheaper to make per conversation. */
  readonly waiters: Waiter<T>[];
  /** Set when a response came before any waiter subscribed; the first `wait` collects it. */
  answer?: { readonly response: T };
}

/** Feeds `expireAfter`: a conversation opens or closes. */
interface Lifecycle {
  readonly id: string;
  readonly open: boolean;
}

type Counter = 'added' | 'done' | 'expired' | 'cancelled' | 'late' | 'rejected';

class ConversationMap<T> implements ConversationStore<T> {
  private readonly entries = new Map<string, Entry<T>>();
  private readonly counts: Record<Counter, number> = {
    added: 0,
    done: 0,
    expired: 0,
    cancelled: 0,
    late: 0,
    rejected: 0,
  };
  private readonly events = new Subject<ConversationEvent>();
  private readonly lifecycle = new Subject<Lifecycle>();
  /** False for `ttlMs: Infinity`: no timer per conversation. */
  private readonly hasTtl: boolean;
  private readonly ttlSubscription: Subscription | undefined;
  private isClosed = false;

  readonly events$: Observable<ConversationEvent> = this.events.asObservable();

  constructor(
    private readonly ttlMs: number,
    private readonly maxSize: number,
    private readonly scheduler: SchedulerLike,
  ) {
    this.hasTtl = ttlMs !== Infinity;
    this.ttlSubscription = this.hasTtl
      ? this.lifecycle
          .pipe(expireAfter(ttlMs, { key: (e: Lifecycle) => e.id, isDone: (e) => !e.open, scheduler }))
          .subscribe(({ key }) => {
            const entry = this.entries.get(key);
            if (entry) this.end(entry, 'expired', new TimeoutError(`conversation ${key}`, this.ttlMs));
          })
      : undefined;
  }

  get size(): number {
    return this.entries.size;
  }

  get closed(): boolean {
    return this.isClosed;
  }

  add(init: ConversationInit): Conversation {
    const { id } = init;
    if (this.isClosed) return this.reject(new TransportClosedError('open a conversation'));
    if (typeof id !== 'string' || id === '') {
      return this.reject(new BadRequestError('a conversation id must be a non-empty string'));
    }
    if (this.entries.has(id)) return this.reject(new DuplicateConversationError(id));
    if (this.entries.size >= this.maxSize) return this.reject(new ConversationLimitError(id, this.maxSize));

    const createdAt = this.scheduler.now();
    const fields: { -readonly [K in keyof Conversation]: Conversation[K] } = {
      id,
      createdAt,
      expiresAt: createdAt + this.ttlMs,
    };
    if (init.replyTo !== undefined) fields.replyTo = init.replyTo;
    if (init.meta !== undefined) fields.meta = init.meta;
    const conversation: Conversation = Object.freeze(fields);
    this.entries.set(id, { conversation, waiters: [] });
    if (this.hasTtl) this.lifecycle.next({ id, open: true });
    this.record('added', id);
    return conversation;
  }

  get(id: string): Conversation | undefined {
    return this.entries.get(id)?.conversation;
  }

  has(id: string): boolean {
    return this.entries.has(id);
  }

  range(fn: (id: string, conversation: Conversation) => boolean | void): void {
    // a snapshot, so fn may add or delete conversations as it goes
    for (const [id, entry] of [...this.entries]) {
      if (fn(id, entry.conversation) === false) return;
    }
  }

  delete(id: string): boolean {
    const entry = this.entries.get(id);
    if (!entry) return false;
    this.end(entry, 'cancelled', new ConversationCancelledError(id));
    return true;
  }

  done(id: string, response: T): boolean {
    const entry = this.entries.get(id);
    if (!entry || entry.answer) {
      this.record('late', id);
      return false;
    }
    if (entry.waiters.length === 0) {
      // nobody subscribed yet (a reply faster than the caller): hold it, under the TTL
      entry.answer = { response };
      this.record('done', id);
      return true;
    }
    if (entry.waiters.length === 1) {
      // the usual case, one caller: no copy of the list
      const waiter = entry.waiters[0];
      this.forget(entry);
      this.record('done', id);
      waiter?.deliver(response);
      return true;
    }
    const waiters = [...entry.waiters];
    this.forget(entry);
    this.record('done', id);
    for (const waiter of waiters) waiter.deliver(response);
    return true;
  }

  wait(id: string): Observable<T> {
    return this.waitFor(id, undefined);
  }

  waitTimeout(id: string, timeoutMs: number): Observable<T> {
    if (!Number.isFinite(timeoutMs) || timeoutMs < 0 || timeoutMs > MAX_TTL_MS) {
      throw new ConfigError(`timeoutMs must be a number from 0 to ${MAX_TTL_MS}, got ${String(timeoutMs)}`);
    }
    return this.waitFor(id, timeoutMs);
  }

  stats(): ConversationStats {
    return { ...this.counts, size: this.entries.size };
  }

  shutdown(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.ttlSubscription?.unsubscribe();
    for (const entry of [...this.entries.values()]) {
      this.end(entry, 'cancelled', new TransportClosedError('wait for a reply'));
    }
    this.events.complete();
    this.lifecycle.complete();
  }

  private waitFor(id: string, timeoutMs: number | undefined): Observable<T> {
    return new Observable<T>((subscriber) => {
      if (this.isClosed) {
        subscriber.error(new TransportClosedError('wait for a reply'));
        return undefined;
      }
      const entry = this.entries.get(id);
      if (!entry) {
        subscriber.error(new NotFoundError(id));
        return undefined;
      }
      if (entry.answer) {
        const { response } = entry.answer;
        this.forget(entry);
        subscriber.next(response);
        subscriber.complete();
        return undefined;
      }

      let settled = false;
      const waiter: Waiter<T> = {
        deliver: (response) => {
          settled = true;
          subscriber.next(response);
          subscriber.complete();
        },
        fail: (error) => {
          settled = true;
          subscriber.error(error);
        },
      };
      // Leaves the conversation; the last waiter to leave before a response ends it.
      const leave = (type: 'expired' | 'cancelled'): void => {
        const at = entry.waiters.indexOf(waiter);
        if (at >= 0) entry.waiters.splice(at, 1);
        if (entry.waiters.length === 0 && this.entries.get(id) === entry) this.end(entry, type);
      };
      entry.waiters.push(waiter);

      const timeout =
        timeoutMs === undefined
          ? undefined
          : this.scheduler.schedule(() => {
              settled = true;
              leave('expired');
              subscriber.error(new TimeoutError(`conversation ${id}`, timeoutMs));
            }, timeoutMs);

      return () => {
        timeout?.unsubscribe();
        if (!settled) leave('cancelled');
      };
    });
  }

  /** Ends a conversation that is still held: counts it, tells its waiters. */
  private end(entry: Entry<T>, type: 'expired' | 'cancelled', failure?: Error): void {
    const waiters = [...entry.waiters];
    this.forget(entry);
    this.record(type, entry.conversation.id);
    if (failure) for (const waiter of waiters) waiter.fail(failure);
  }

  private forget(entry: Entry<T>): void {
    const { id } = entry.conversation;
    this.entries.delete(id);
    entry.waiters.length = 0;
    if (this.hasTtl) this.lifecycle.next({ id, open: false });
  }

  private record(type: ConversationEventType & Counter, id: string): void {
    this.counts[type] += 1;
    // no event object per request when nobody listens
    if (this.events.observed) this.events.next({ type, id, at: this.scheduler.now() });
  }

  private reject(error: Error): never {
    this.counts.rejected += 1;
    throw error;
  }
}

/**
 * Creates the conversation store request/response matches replies with: one
 * muxed reply topic per node, each response routed by its `contextID` to the
 * caller that opened it, or dropped and counted.
 *
 * Unlike the original `mini` context, ids are kept as given (never rewritten to
 * a UUID), every conversation has a TTL (`ttlMs`, run by the {@link expireAfter}
 * operator on `scheduler`; `Infinity` turns it off, for callers that always wait
 * with `waitTimeout` before the response can come, as `request()` does), the store is bounded (`maxSize`; a full store
 * refuses new conversations rather than evicting a waiting caller), and a
 * response that finds no live conversation is never handed to anybody else.
 *
 * A response that comes before anyone waits is held (under the TTL) for the
 * first `wait`, so the order "add, publish, wait" cannot lose a fast reply.
 *
 * @param options - TTL, bound and scheduler; invalid values throw a `ConfigError`.
 * @example
 * ```ts
 * import { createConversationStore, newContextID, type Message } from 'rxmini';
 * const store = createConversationStore<Message>({ ttlMs: 30_000, maxSize: 1_000 });
 * const id = newContextID();
 * store.add({ id, replyTo: '_reply.node-1#ephemeral' });
 * const reply$ = store.waitTimeout(id, 5_000); // TimeoutError after 5 s
 * // where the responses arrive, each goes to its caller by contextID (or counts as late)
 * const onResponse = (reply: Message) => store.done(reply.contextID ?? '', reply);
 * store.events$.subscribe(({ type }) => metrics.inc(`rpc.${type}`));
 * ```
 * @see {@link ConversationStore}
 */
export const createConversationStore = <T = unknown>(
  options: ConversationStoreOptions = {},
): ConversationStore<T> => {
  const ttlMs = options.ttlMs ?? DEFAULT_CONVERSATION_TTL_MS;
  const maxSize = options.maxSize ?? DEFAULT_MAX_CONVERSATIONS;
  if (ttlMs !== Infinity && (!Number.isFinite(ttlMs) || ttlMs <= 0 || ttlMs > MAX_TTL_MS)) {
    throw new ConfigError(
      `ttlMs must be a number above 0 and at most ${MAX_TTL_MS}, or Infinity, got ${String(ttlMs)}`,
    );
  }
  if (!Number.isSafeInteger(maxSize) || maxSize < 1) {
    throw new ConfigError(`maxSize must be a positive integer, got ${String(maxSize)}`);
  }
  return new ConversationMap<T>(ttlMs, maxSize, options.scheduler ?? asyncScheduler);
};
