/**
 * In-process calls: a real {@link Delivery} (the same pipe handles it) over
 * no broker, with no encoding, whose answer goes straight to the caller.
 *
 * @packageDocumentation
 */
import type { JsonObject } from '../codec/json.js';
import type { Message } from '../codec/message.js';
import { HeaderKey } from '../constant/headerKey.js';
import { MessageType } from '../constant/messageType.js';
import type { BrokerDelivery } from '../broker/types.js';
import { TimeoutError } from '../errors.js';
import type { Expiring, Lane } from './deadlines.js';

/** Every three-digit ending, made once (see {@link idSequence}). */
const ENDINGS: readonly string[] = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));

/**
 * Unique ids: `prefix`, then a count (`0000`, `0001`, … `0999`, `1000`, …),
 * made without formatting a number per id. `String(n)` of a new number each
 * time fills V8's number-to-string cache, an old-generation table, with
 * pointers to new strings: every young-generation collection then kept ~300 KB
 * of them alive and promoted ~90 KB, which made each collection 5× longer and
 * cost in-process calls ~20 % (bench `services`, docs/benchmarks.md). Here a
 * number is formatted once per thousand ids.
 */
export const idSequence = (prefix: string): (() => string) => {
  let count = 0;
  let head = prefix;
  return () => {
    const ending = count % 1000;
    if (ending === 0) head = prefix + String(count / 1000);
    count += 1;
    return head + (ENDINGS[ending] as string);
  };
};

/** The `replyTo` of an in-process call: the answer goes to the waiting caller, not to a topic. */
export const LOCAL_REPLY_TO = '_local';

/** Where a request message keeps its in-process call (a symbol: not a field of the message as JSON sees it). */
const LOCAL_CALL = Symbol('rxmini.localCall');

/** A request message of an in-process call. */
interface LocalRequest extends Message {
  readonly [LOCAL_CALL]: LocalCall<unknown>;
}

/** What a {@link LocalCall} asks of the service that made it. */
export interface LocalCallHost<T> {
  /** Delivers `call` again after `delayMs` (what a requeue does). */
  redeliver(call: LocalCall<T>, delayMs: number): void;
  /** Takes `call` out of the deadlines: it is settled. */
  settled(call: LocalCall<T>): void;
}

const EMPTY_BODY = new Uint8Array(0);

/** The `x-deadline` header of a budget (shared: most calls use one timeout). */
const deadlineHeaders = new Map<number, Readonly<Record<string, string>>>();
const MAX_CACHED_HEADERS = 64;

/** The budget asked for last, and its header (most calls use one timeout: no map lookup for them). */
let lastTimeoutMs = Number.NaN;
let lastHeader: Readonly<Record<string, string>> | undefined;

const headerOf = (
  timeoutMs: number,
  header: Readonly<Record<string, string>> | undefined,
): Readonly<Record<string, string>> =>
  header === undefined && timeoutMs === lastTimeoutMs && lastHeader !== undefined
    ? lastHeader
    : headerFor(timeoutMs, header);

/** {@link headerOf} of another budget than the last, or with headers of the call's own. */
const headerFor = (
  timeoutMs: number,
  header: Readonly<Record<string, string>> | undefined,
): Readonly<Record<string, string>> => {
  if (header !== undefined) return { ...header, [HeaderKey.DEADLINE]: String(Math.floor(timeoutMs)) };
  let shared = deadlineHeaders.get(timeoutMs);
  if (shared === undefined) {
    shared = Object.freeze({ [HeaderKey.DEADLINE]: String(Math.floor(timeoutMs)) });
    if (deadlineHeaders.size < MAX_CACHED_HEADERS) deadlineHeaders.set(timeoutMs, shared);
  }
  lastTimeoutMs = timeoutMs;
  lastHeader = shared;
  return shared;
};

/**
 * One in-process call: the broker delivery its deliveries are made of (no
 * broker: acknowledgements are no-ops, a requeue delivers it again), its
 * deadline entry, and the caller waiting for its answer.
 */
export class LocalCall<T> implements BrokerDelivery, Expiring {
  readonly body = EMPTY_BODY;
  attempts = 0;
  deadlineAt = 0;
  prevExpiring: Expiring | undefined = undefined;
  nextExpiring: Expiring | undefined = undefined;
  lane: Lane | undefined = undefined;
  /** Answered, timed out or cancelled: what comes later is dropped. */
  done = false;
  /** Answered by the service (once: a second answer is dropped, and not counted). */
  answered = false;

  constructor(
    /** The call's contextID (and its delivery id). */
    readonly id: string,
    /** The action. */
    readonly topic: string,
    /** The service's channel. */
    readonly channel: string,
    /** What the service keeps of the action called (found once, when the call is made). */
    readonly target: T,
    /** When the call was made (kept across redeliveries, as a broker keeps it). */
    readonly timestamp: number,
    readonly timeoutMs: number,
    private readonly payload: JsonObject,
    private readonly header: Readonly<Record<string, string>> | undefined,
    private readonly host: LocalCallHost<T>,
  ) {}

  /** Who waits for the answer (see {@link LocalCall.listen}). */
  private onValue: ((value: unknown) => void) | undefined = undefined;
  private onError: ((error: unknown) => void) | undefined = undefined;
  /** The answer, kept when it came before anyone listened: a value, an error, or none yet. */
  private outcome: 'none' | 'value' | 'error' = 'none';
  private result: unknown = undefined;

  /**
   * Tells `onValue` or `onError` the answer: now, when it came already (a
   * synchronous handler answers before its caller listens), else when it
   * comes. Called once, by the caller that made the call.
   */
  listen(onValue: (value: unknown) => void, onError: (error: unknown) => void): void {
    if (this.outcome === 'value') onValue(this.result);
    else if (this.outcome === 'error') onError(this.result);
    else {
      this.onValue = onValue;
      this.onError = onError;
    }
  }

  /** The answer that came before anyone listened: `'value'` or `'error'` (see {@link LocalCall.earlyResult}), else `'none'`. */
  get earlyOutcome(): 'none' | 'value' | 'error' {
    return this.outcome;
  }

  /** The value or error of {@link LocalCall.earlyOutcome}. */
  get earlyResult(): unknown {
    return this.result;
  }

  /** The request message of the next attempt, as the transport would decode the same request. */
  nextMessage(): Message {
    this.attempts += 1;
    const message: LocalRequest = {
      type: MessageType.REQUEST,
      node: this.topic,
      contextID: this.id,
      replyTo: LOCAL_REPLY_TO,
      header: headerOf(this.timeoutMs, this.header),
      body: this.payload,
      [LOCAL_CALL]: this,
    };
    return message;
  }

  finish(): boolean {
    return true;
  }

  touch(): boolean {
    return true;
  }

  requeue(delayMs = 0): boolean {
    this.host.redeliver(this, delayMs);
    return true;
  }

  /** The caller gets `value` (once). */
  succeed(value: unknown): void {
    if (this.settle()) this.tell('value', value);
  }

  /** The caller gets `error` (once). */
  fail(error: unknown): void {
    if (this.settle()) this.tell('error', error);
  }

  private tell(outcome: 'value' | 'error', result: unknown): void {
    const listener = outcome === 'value' ? this.onValue : this.onError;
    this.onValue = undefined;
    this.onError = undefined;
    if (listener !== undefined) listener(result);
    else {
      this.outcome = outcome;
      this.result = result;
    }
  }

  /** The caller stopped waiting. */
  cancel(): void {
    this.settle();
  }

  /** Marks the call done and out of the deadlines; false when it was done already. */
  private settle(): boolean {
    if (this.done) return false;
    this.done = true;
    // in the deadlines only when not answered in the frame that made it
    if (this.lane !== undefined) this.host.settled(this);
    return true;
  }

  expire(): void {
    if (this.done) return;
    this.done = true;
    this.tell('error', new TimeoutError(`request ${this.topic}`, this.timeoutMs));
  }
}

/** The in-process call a request message belongs to, if it is one. */
export const localCallOf = <T = unknown>(message: Message): LocalCall<T> | undefined =>
  (message as Partial<LocalRequest>)[LOCAL_CALL] as LocalCall<T> | undefined;
