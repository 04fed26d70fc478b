/**
 * What a service is: its options, its actions' handlers, and its interface.
 *
 * @packageDocumentation
 */
import type * as t from 'io-ts';
import type { MonoTypeOperatorFunction, Observable, SchedulerLike } from 'rxjs';
import type { JsonObject } from '../codec/json.js';
import type { Delivery } from '../delivery/types.js';
import type { ILogger } from '../logger/types.js';
import type { Metrics } from '../metrics/types.js';
import type { Middleware, Transport } from '../transport/types.js';
import type { ActionDefinition } from './defineAction.js';
import type { ServiceDescription } from './describe.js';
import type { InputSchemaField } from './fields.js';

/**
 * Where a service is in its life: `created` → `initialized` (`init()`) →
 * `started` (`start()`, consuming) → `stopping` (`stop()`, draining) → `stopped`.
 */
export type ServiceState = 'created' | 'initialized' | 'started' | 'stopping' | 'stopped';

/**
 * What an action handler gets beside its input.
 *
 * @example
 * ```ts
 * import type { ActionContext } from 'rxmini';
 * const who = (ctx: ActionContext) => `${ctx.action} ${ctx.local ? 'in-process' : 'over the bus'}`;
 * ```
 */
export interface ActionContext {
  /** The action called. */
  readonly action: string;
  /** The delivery: message, header, context values that middleware attached, deadline. */
  readonly delivery: Delivery;
  /** The delivery's logger (topic and context id attached). */
  readonly logger: ILogger;
  /** True for a call from this process (`svc.call` on the local path). */
  readonly local: boolean;
}

/**
 * Handles one call: returns the result (a value, a promise or an Observable,
 * whose first value is taken) or throws. A thrown error answers the caller
 * with its status (`statusCode`/`status` field, else from its rxmini code,
 * else 500) and its message, never its stack.
 *
 * Called with `bus.requestStream` instead (a stream request), an Observable
 * handler streams EVERY value (each checked by `output`) with flow control,
 * then the final reply, through `transport.respondStream`; the call stays in
 * flight until the stream ends. Any other result is a stream of one answer.
 *
 * @example
 * ```ts
 * import type { ActionHandler } from 'rxmini';
 * const login: ActionHandler<{ email: string }, { token: string }> = async ({ email }) => ({ token: `jwt-for-${email}` });
 * ```
 * @example
 * ```ts
 * import { range, map } from 'rxjs';
 * import type { ActionHandler } from 'rxmini';
 * // bus.requestStream('report.rows', { count: 3 }) receives { i: 0 }, { i: 1 }, { i: 2 }, then completes
 * const rows: ActionHandler<{ count: number }, { i: number }> = ({ count }) => range(0, count).pipe(map((i) => ({ i })));
 * ```
 */
export type ActionHandler<I, O> = (input: I, context: ActionContext) => O | PromiseLike<O> | Observable<O>;

/** Options of `svc.action`. */
export interface ActionOptions<O> {
  /** Checks (and encodes) the handler's result; a result that fails it answers 500. */
  readonly output?: t.Type<O, unknown, unknown>;
}

/** Options of `svc.call`. */
export interface CallOptions {
  /** How long to wait for the answer, in ms; default the service's `requestTimeoutMs`. */
  readonly timeout?: number;
  /** Extra header values (trace context, idempotency key, …). */
  readonly header?: Readonly<Record<string, string>>;
}

/** What an `onError` hook is told about a failed call. */
export interface ServiceErrorInfo {
  /** The action called (`undefined` for a failure of the service itself). */
  readonly action?: string;
  /** The delivery that failed, when one did. */
  readonly delivery?: Delivery;
  /** The status the caller was answered with. */
  readonly statusCode?: number;
}

/**
 * Lifecycle and error hooks. Each may return a promise, which is awaited (a
 * plain return keeps the step synchronous, as virtual-time specs need). A hook
 * that throws fails `init`/`start`/`stop` (`onError` hooks are only logged).
 *
 * @example
 * ```ts
 * import type { ServiceHooks } from 'rxmini';
 * const hooks: ServiceHooks = {
 *   onStart: () => log.info('consuming'),
 *   onError: (error, { action, statusCode }) => log.warn('call failed', { action, statusCode }),
 * };
 * ```
 */
export interface ServiceHooks {
  /** After the configuration and wiring are checked, before anything is consumed. */
  readonly onInit?: () => void | PromiseLike<void>;
  /** Once every action topic is consumed. */
  readonly onStart?: () => void | PromiseLike<void>;
  /** After the drain, once nothing is consumed any more. */
  readonly onStop?: () => void | PromiseLike<void>;
  /** For every call answered with an error (400, 404, a thrown error, …) and every failure of the service. */
  readonly onError?: (error: unknown, info: ServiceErrorInfo) => void;
}

/** Options of `createService`. */
export interface ServiceOptions {
  /** The service name: the consumer channel of its action topics (instances share the load). */
  readonly name: string;
  /** Its version, e.g. `v1`. */
  readonly version: string;
  /** The bus its actions are consumed from and its calls go out on. */
  readonly transport: Transport;
  /** Where it logs; default the transport's logger is not reachable, so nowhere. */
  readonly logger?: ILogger;
  /** Where per-action metrics go; default a new registry on `scheduler`. */
  readonly metrics?: Metrics;
  /** Middleware operators, first in the pipe, before any registered with `use`. */
  readonly pipeline?: readonly (MonoTypeOperatorFunction<Delivery> | Middleware)[];
  /** Clock of call timeouts, latencies and the drain; default `asyncScheduler`. Pass the `TestScheduler` in specs. */
  readonly scheduler?: SchedulerLike;
  /** Default timeout of `call`, in ms; default 15 000. */
  readonly requestTimeoutMs?: number;
  /** Longest `stop()` waits for calls in flight, in ms; default 10 000. */
  readonly drainTimeoutMs?: number;
  /** Calls handled at once per action topic (the consumer's `maxInFlight`); default 64. */
  readonly concurrency?: number;
  /**
   * The broker's in-flight timeout of the action consumers, in ms (their
   * `msgTimeoutMs`); default the broker's (60 s on nsqd). A call held by an
   * instance that dies goes to another instance after this long.
   */
  readonly msgTimeoutMs?: number;
  /** `svc.call` to an action this process serves stays in the process; default true. */
  readonly preferLocal?: boolean;
  /**
   * Topics under this prefix are consumed too, so that a call to an action
   * the service does not serve is answered 404 at once instead of timing out;
   * default `<name>.`; `false` consumes only the action topics. A new topic is
   * picked up within the transport's `pollIntervalMs`.
   */
  readonly namespace?: string | false;
  /** Answers a call to an unknown action; default: fails it with a `NotFoundError` (404). */
  readonly onNotFound?: (delivery: Delivery) => unknown;
  /** Lifecycle and error hooks. */
  readonly hooks?: ServiceHooks;
  /**
   * Port of the Prometheus endpoint (`GET /metrics`) that `runService` from
   * `rxmini/node` serves while the service runs; none by default. The
   * service itself opens no socket (it runs in a browser too).
   */
  readonly metricsPort?: number;
}

/** Options of {@link Service.stop}. */
export interface StopOptions {
  /** Longest the drain waits for calls in flight, in ms; default the service's `drainTimeoutMs`. */
  readonly drainTimeoutMs?: number;
}

/**
 * A service: action handlers behind one visible pipe over the transport's
 * action topics (see `createService`).
 *
 * @example
 * ```ts
 * import * as t from 'io-ts';
 * import { createService, memoryTransport, type Service } from 'rxmini';
 * const svc: Service = createService({ name: 'auth', version: 'v1', transport: memoryTransport() });
 * svc.action('auth.login', t.type({ email: t.string }), ({ email }) => ({ token: `jwt-for-${email}` }));
 * await svc.start();
 * ```
 */
export interface Service {
  readonly name: string;
  readonly version: string;
  /** The transport's node id. */
  readonly nodeId: string;
  readonly transport: Transport;
  /**
   * Per action: `action.<name>.calls`, `.errors` (answered with a status ≥ 400)
   * and `.latency_ms`; and the labelled `action_calls_total` and
   * `action_latency_ms` (labels `action`, `status`; see `ServiceMetric`).
   */
  readonly metrics: Metrics;
  /** The `metricsPort` option: where `runService` serves the Prometheus endpoint. */
  readonly metricsPort: number | undefined;
  /** The current state. */
  readonly state: ServiceState;
  /** The state, replaying the current one. */
  readonly state$: Observable<ServiceState>;
  /** The names of the actions served, sorted (the describe action is not one of them). */
  actions(): string[];
  /**
   * Name, version, node id, and each action served (sorted by name) with the
   * JSON Schema (draft 2020-12) of its input, and of its output when it has an
   * output codec, derived from its codec or field list (see `toJsonSchema`).
   * The describe action, `<name>._describe` (see `describeAction`), answers
   * the same over the bus.
   */
  describe(): ServiceDescription;
  /**
   * Serves `name`: its body is checked by `input` (the handler's input type is
   * inferred from it), then `handler` runs. Throws `DuplicateActionError` when
   * `name` is served already. May be called at run time.
   */
  action<I, O>(
    name: string,
    input: t.Decoder<unknown, I>,
    handler: ActionHandler<I, O>,
    options?: ActionOptions<O>,
  ): this;
  /** Serves a shared {@link ActionDefinition}: its input and output codecs check both ends. */
  action<I, O>(definition: ActionDefinition<I, O>, handler: ActionHandler<I, O>): this;
  /** Serves `name` with the original's field-list schema (see {@link InputSchemaField}). */
  registerAction<O>(
    name: string,
    fields: readonly InputSchemaField[],
    handler: ActionHandler<Record<string, unknown>, O>,
  ): this;
  /** Stops serving `name` (its topic is let go once its calls in flight are answered); false when not served. */
  removeAction(name: string): boolean;
  /** Adds middleware: an operator over the deliveries, or a transport `Middleware`. Before `start()` only. */
  use(middleware: MonoTypeOperatorFunction<Delivery> | Middleware): this;
  /** Calls an action: in-process when served here (see `preferLocal`), else over the transport. */
  call<I, O>(definition: ActionDefinition<I, O>, input: I, options?: CallOptions): Promise<O>;
  call(action: string, input?: JsonObject, options?: CallOptions): Promise<unknown>;
  /** {@link Service.call} as a cold Observable: the call is made on subscribe, unsubscribing cancels the wait. */
  call$<I, O>(definition: ActionDefinition<I, O>, input: I, options?: CallOptions): Observable<O>;
  call$(action: string, input?: JsonObject, options?: CallOptions): Observable<unknown>;
  /** Checks configuration and wiring (a missing dependency is a `MissingDependencyError`), then `onInit`. */
  init(): Promise<void>;
  /** `init()` if needed, then consumes every action topic; resolves once they are consumed, after `onStart`. */
  start(): Promise<void>;
  /**
   * Drains: takes no new calls (consumers paused at the broker), waits up to
   * `drainTimeoutMs` for calls in flight to be answered, lets the topics go,
   * then `onStop`. Does not close the transport. Idempotent.
   */
  stop(options?: StopOptions): Promise<void>;
}
