/**
 * `createService`: action handlers behind one pipe over the transport's
 * action topics, in-process calls through the same pipe, a lifecycle with a
 * graceful drain, and per-action metrics.
 *
 * @packageDocumentation
 */
import { isLeft } from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import {
  BehaviorSubject,
  EMPTY,
  Observable,
  Subject,
  asyncScheduler,
  defaultIfEmpty,
  first,
  firstValueFrom,
  from,
  map,
  mergeMap,
  of,
  take,
  throwError,
  timeout as timeoutWith,
  type MonoTypeOperatorFunction,
  type Subscriber,
  type Subscription,
} from 'rxjs';
import type { JsonObject, JsonValue } from '../codec/json.js';
import { newContextID, type Message } from '../codec/message.js';
import { toFieldIssues } from '../codec/issues.js';
import { MAX_TTL_MS } from '../constant/limits.js';
import { StatusCode } from '../constant/status.js';
import { validateChannel, validateTopic } from '../broker/names.js';
import { isObservable, isPromiseLike, knownOutcome, promiseOf } from '../delivery/settled.js';
import { createDelivery, failChainOf, type DeliveryDeps } from '../delivery/delivery.js';
import type { Delivery, DeliveryHandler, FailHandler } from '../delivery/types.js';
import { BadRequestError, NotFoundError, ValidationError } from '../errors.js';
import { noopLogger } from '../logger/noopLogger.js';
import type { ILogger } from '../logger/types.js';
import { createMetrics } from '../metrics/createMetrics.js';
import type { CounterSeries, HistogramSeries } from '../metrics/types.js';
import { DRAIN_REQUEUE_DELAY_MS } from '../transport/consume.js';
import { DEFAULT_DRAIN_TIMEOUT_MS, DEFAULT_REQUEST_TIMEOUT_MS } from '../transport/createTransport.js';
import { statusOfError } from '../transport/respond.js';
import { StreamHeader } from '../transport/streamWire.js';
import type { Middleware } from '../transport/types.js';
import { answerFor, asError, callResult, checkOutput, resultOf } from './answer.js';
import { isActionDefinition, type ActionDefinition } from './defineAction.js';
import { DESCRIBE_SUFFIX, type ActionDescription, type ServiceDescription } from './describe.js';
import { DuplicateActionError, MissingDependencyError } from './errors.js';
import { fieldsCodec, type InputSchemaField } from './fields.js';
import { toJsonSchema } from './jsonSchema.js';
import { createDeadlines } from './deadlines.js';
import { LocalCall, idSequence, localCallOf, type LocalCallHost } from './localDelivery.js';
import { middlewareOperator, servicePipeline } from './pipeline.js';
import type {
  ActionContext,
  ActionHandler,
  ActionOptions,
  CallOptions,
  Service,
  ServiceErrorInfo,
  ServiceOptions,
  ServiceState,
  StopOptions,
} from './types.js';

/** Default calls handled at once per action topic. */
export const DEFAULT_SERVICE_CONCURRENCY = 64;

/** `next` after `value` settles when it is a promise, at once otherwise (what keeps virtual-time specs synchronous). */
const andThen = <T>(value: unknown, next: () => T | PromiseLike<T>): T | PromiseLike<T> =>
  isPromiseLike(value) ? Promise.resolve(value).then(next) : next();

/** A promise the broker settled already, as an Observable that settles in the same frame. */
const settled = (promise: Promise<void>): Observable<void> => {
  const known = knownOutcome(promise);
  if (known === undefined) return from(promise);
  return known.ok ? of(undefined) : throwError(() => known.error);
};

/** A resolved promise whose outcome is known at once (see `knownOutcome`); one for every answer that needs no send. */
const DONE: Promise<void> = promiseOf(EMPTY);

/** A request made by `requestStream`: it says how far the responder may run ahead. */
const isStreamRequest = (request: Message): boolean => request.header?.[StreamHeader.WINDOW] !== undefined;

/** A metric name segment for an action name (every character outside Prometheus's becomes `_`). */
const metricNameOf = (action: string): string =>
  action
    .split('.')
    .map((segment) => segment.replace(/[^a-zA-Z0-9_:]/g, '_') || '_')
    .join('.');

/**
 * The labelled metrics every service records per call, with labels `action`
 * and `status` (beside the per-action `action.<name>.calls`, `.errors`,
 * `.latency_ms`): what a Prometheus scrape aggregates across instances.
 *
 * @example
 * ```ts
 * import { ServiceMetric } from 'rxmini';
 * const calls = `sum by (action) (rate(${ServiceMetric.calls}{status=~"5.."}[5m]))`;
 * ```
 */
export const ServiceMetric = {
  /** Counter of calls answered, by `action` and `status`. */
  calls: 'action_calls_total',
  /** Histogram of the time to answer in ms, from delivery to answer, by `action` and `status`. */
  latency: 'action_latency_ms',
} as const;

/** Union of the {@link ServiceMetric} names. */
export type ServiceMetric = (typeof ServiceMetric)[keyof typeof ServiceMetric];

const TRANSPORT_METHODS = ['publish', 'request', 'subscribeTopic', 'subscribePrefix'] as const;

interface ServedAction {
  readonly codec: t.Decoder<unknown, unknown>;
  /** Checks (and so describes) the result, when the action has an output codec. */
  readonly output?: t.Type<unknown, unknown, unknown>;
  readonly handler: DeliveryHandler;
  /** The describe action: served and counted as any, but not listed, described or removed. */
  readonly builtIn?: boolean;
}

/** What a handler learns of its call; the logger is made only when a handler asks for it. */
class CallContext implements ActionContext {
  constructor(
    readonly action: string,
    readonly delivery: Delivery,
  ) {}

  get logger(): ILogger {
    return this.delivery.logger;
  }

  get local(): boolean {
    return localCallOf(this.delivery.message) !== undefined;
  }
}

/** The describe action's input: any object (a body is always one). */
const DescribeInput = t.type({});

/**
 * A service: actions served from the transport's action topics (topic = the
 * action, channel = the service name, so instances share the load), each
 * delivery going through ONE pipe — recover → answer failures → your
 * middleware (`pipeline`, then `use`, in order) → `validate` (the action's
 * codec or field list) → `route` (its handler answers the result). Each call
 * is answered exactly once and runs each middleware once (the original did
 * both twice). A call to an action this process serves (`svc.call`) goes
 * through the same pipe in-process: no encoding, no broker, the same
 * validation, middleware, timeout, metrics, results and errors. Every
 * service also serves `<name>._describe` (see `describeAction`), answering
 * what `svc.describe()` tells: its actions and the JSON Schema of their input
 * and output.
 *
 * Nothing is checked or consumed until `init()`/`start()`. Running until
 * SIGINT/SIGTERM needs Node: `runService(svc)` from `rxmini/node`.
 *
 * @example
 * ```ts
 * import * as t from 'io-ts';
 * import { createService, memoryTransport } from 'rxmini';
 * const svc = createService({ name: 'auth', version: 'v1', transport: memoryTransport({ service: 'auth' }) });
 * svc.action('auth.login', t.type({ email: t.string }), ({ email }) => ({ token: `jwt-for-${email}` }));
 * svc.registerAction('auth.check', [{ name: 'token', type: 'string', required: true }], ({ token }) => ({
 *   valid: token === 'jwt-for-ada@example.com',
 * }));
 * await svc.start();
 * await svc.call('auth.login', { email: 'ada@example.com' }); // { token: 'jwt-for-ada@example.com' }
 * await svc.stop();
 * ```
 * @see {@link Service}
 */
export const createService = (options: ServiceOptions): Service => {
  const name = options?.name;
  const transport = options?.transport;
  const scheduler = options?.scheduler ?? asyncScheduler;
  const logger = (options?.logger ?? noopLogger).with('service', String(name));
  const metrics = options?.metrics ?? createMetrics({ scheduler });
  const hooks = options?.hooks ?? {};
  const requestTimeoutMs = options?.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const drainTimeoutMs = options?.drainTimeoutMs ?? DEFAULT_DRAIN_TIMEOUT_MS;
  const preferLocal = options?.preferLocal ?? true;
  const concurrency = options?.concurrency ?? DEFAULT_SERVICE_CONCURRENCY;
  const msgTimeout = options?.msgTimeoutMs === undefined ? {} : { msgTimeoutMs: options.msgTimeoutMs };
  const namespace = options?.namespace === undefined ? `${String(name)}.` : options.namespace;
  metrics.describe(ServiceMetric.calls, 'Calls answered, by action and status.');
  metrics.describe(
    ServiceMetric.latency,
    'Time to answer a call in ms, from delivery to answer, by action and status.',
  );
  const describeTopic = `${String(name)}${DESCRIBE_SUFFIX}`;

  const state$ = new BehaviorSubject<ServiceState>('created');
  /** `state$.value`, as a plain variable for the hot path (kept in step by `setState`). */
  let state: ServiceState = 'created';
  const setState = (next: ServiceState): void => {
    state = next;
    state$.next(next);
  };
  const served = new Map<string, ServedAction>();
  const routes = new Map<string, DeliveryHandler>();
  const middleware: MonoTypeOperatorFunction<Delivery>[] = (options?.pipeline ?? []).map(middlewareOperator);
  /**
   * The pipe's one subscriber while it runs: deliveries go straight to it (a
   * Subject's `next` cost a closure and a copy of its observers per call;
   * bench `services`, docs/benchmarks.md).
   */
  let intake: Subscriber<Delivery> | undefined;
  const intake$ = new Observable<Delivery>((subscriber) => {
    intake = subscriber;
    return () => {
      if (intake === subscriber) intake = undefined;
    };
  });
  const paused$ = new BehaviorSubject(false);
  /** Consumers of the action topics, by topic. */
  const consumers = new Map<string, Subscription>();
  /** Topics of removed actions, let go once their calls in flight are answered. */
  const retiring = new Set<string>();
  /** Calls taken in and not yet answered (what a drain waits for). */
  let inFlight = 0;
  /** Told when `inFlight` falls to 0 while stopping. */
  const drained$ = new Subject<void>();
  /** Requests over the bus answered already and not yet settled: a second answer is never sent. */
  const answered = new Set<Message>();
  let running: Subscription | undefined;
  let namespaceConsumer: Subscription | undefined;
  let stopping: Promise<void> | undefined;

  const notifyError = (error: unknown, info: ServiceErrorInfo): void => {
    try {
      hooks.onError?.(error, info);
    } catch (thrown) {
      logger.error('service: the onError hook threw', { error: asError(thrown).message });
    }
  };

  /** The labelled series of one action and status. */
  interface StatusMetrics {
    readonly status: number;
    readonly calls: CounterSeries;
    readonly latency: HistogramSeries;
  }
  /** The series an action's calls are counted in, made on its first call (the hot path reuses them). */
  interface ActionMetrics {
    readonly calls: CounterSeries;
    readonly errors: CounterSeries;
    readonly latency: HistogramSeries;
    /** The labelled series of the status counted last (most calls of an action answer alike). */
    last: StatusMetrics | undefined;
    /** The labelled series, by status. */
    readonly byStatus: Map<number, StatusMetrics>;
  }
  /**
   * What the service keeps per action topic, found once per call (an
   * in-process call carries it; a call over the bus looks it up when taken
   * in): a lookup per stage and a map write per count cost 14 % of an
   * in-process call (bench `services`, docs/benchmarks.md).
   */
  interface TopicState {
    readonly topic: string;
    /** The action served on it: `undefined` once removed, or for a topic of the namespace nobody serves. */
    action: ServedAction | undefined;
    /** Its calls taken in and not yet answered. */
    inFlight: number;
    /** Its metric series, made on its first counted call (kept when the action is removed: they are exported). */
    series: ActionMetrics | undefined;
  }
  const topics = new Map<string, TopicState>();
  const topicState = (topic: string): TopicState => {
    let found = topics.get(topic);
    if (found === undefined) {
      found = { topic, action: served.get(topic), inFlight: 0, series: undefined };
      topics.set(topic, found);
    }
    return found;
  };
  // each hot step below is kept small, its rare branches in functions of their own: V8 inlines a call's
  // steps into one another only up to a total size, and each step it does not inline costs (bench
  // `instructions`, docs/benchmarks.md)
  const actionMetrics = (entry: TopicState): ActionMetrics => entry.series ?? newActionMetrics(entry);
  const newActionMetrics = (entry: TopicState): ActionMetrics => {
    const base = `action.${metricNameOf(entry.topic)}`;
    entry.series = {
      calls: metrics.counter(`${base}.calls`),
      errors: metrics.counter(`${base}.errors`),
      latency: metrics.histogram(`${base}.latency_ms`),
      last: undefined,
      byStatus: new Map(),
    };
    return entry.series;
  };
  const labelledOf = (series: ActionMetrics, action: string, status: number): StatusMetrics => {
    const last = series.last;
    return last !== undefined && last.status === status ? last : labelledFor(series, action, status);
  };
  const labelledFor = (series: ActionMetrics, action: string, status: number): StatusMetrics => {
    let labelled = series.byStatus.get(status);
    if (labelled === undefined) {
      const labels = Object.freeze({ action, status: String(status) });
      labelled = {
        status,
        calls: metrics.counter(ServiceMetric.calls, labels),
        latency: metrics.histogram(ServiceMetric.latency, labels),
      };
      series.byStatus.set(status, labelled);
    }
    series.last = labelled;
    return labelled;
  };

  /** The topic state of a delivery taken in (an in-process call carries its own). */
  const topicOf = (delivery: Delivery): TopicState | undefined =>
    localCallOf<TopicState>(delivery.message)?.target ?? topics.get(delivery.topic);

  const record = (delivery: Delivery, status: number): void => recordFor(topicOf(delivery), delivery, status);
  /** Counts the answer to `delivery`, a call of `entry`'s action, with its status and latency. */
  const recordFor = (entry: TopicState | undefined, delivery: Delivery, status: number): void => {
    try {
      if (entry?.action === undefined) {
        metrics.inc('action_not_found');
        return;
      }
      const series = actionMetrics(entry);
      const latency = Math.max(0, scheduler.now() - delivery.receivedAt);
      series.calls.inc();
      if (status >= 400) series.errors.inc();
      series.latency.observe(latency);
      const labelled = labelledOf(series, entry.topic, status);
      labelled.calls.inc();
      labelled.latency.observe(latency);
    } catch (error) {
      notRecorded(delivery, error);
    }
  };
  /** A metric name clash must not cost the caller its answer: logged. */
  const notRecorded = (delivery: Delivery, error: unknown): void =>
    logger.warn('service: could not record metrics', {
      action: delivery.topic,
      error: asError(error).message,
    });

  /** The response to `delivery` for `outcome`, counted in the metrics (with its status) and told to `onError` when an error. */
  const countedAnswer = (
    delivery: Delivery,
    outcome: unknown,
    statusCode: number | undefined,
  ): ReturnType<typeof answerFor> => {
    const response = answerFor(delivery.message, outcome, statusCode);
    const status =
      response?.message.statusCode ??
      statusCode ??
      (outcome instanceof Error ? statusOfError(outcome) : StatusCode.OK);
    record(delivery, status);
    if (outcome instanceof Error)
      notifyError(outcome, { action: delivery.topic, delivery, statusCode: status });
    return response;
  };

  /**
   * Answers an in-process call: a result as it is (what the bus would bring:
   * `undefined` as `null`), anything else as the response the bus would
   * carry, read as a caller over the bus reads it.
   */
  const answerLocal = (
    call: LocalCall<TopicState>,
    delivery: Delivery,
    outcome: unknown,
    statusCode?: number,
  ): void => {
    if (statusCode === undefined && !(outcome instanceof Error)) {
      recordFor(call.target, delivery, StatusCode.OK);
      call.succeed(outcome ?? null);
    } else answerLocalFailure(call, delivery, outcome, statusCode);
  };
  /** {@link answerLocal} of an error, or of a result with its own status. */
  const answerLocalFailure = (
    call: LocalCall<TopicState>,
    delivery: Delivery,
    outcome: unknown,
    statusCode: number | undefined,
  ): void => {
    const response = countedAnswer(delivery, outcome, statusCode);
    if (response === undefined) return;
    const result = resultOf(call.topic, response.message);
    if (result.ok) call.succeed(result.value);
    else call.fail(result.error);
  };

  /** Answers the caller of `delivery` (once: later answers are dropped), counts it, and says when it is sent. */
  const answer = (delivery: Delivery, outcome: unknown, statusCode?: number): Promise<void> => {
    const request = delivery.message;
    const call = localCallOf<TopicState>(request);
    if (call !== undefined) {
      // counted even when the caller stopped waiting (timed out, unsubscribed), as over the bus
      if (!call.answered) {
        call.answered = true;
        answerLocal(call, delivery, outcome, statusCode);
      }
      return DONE;
    }
    return answerOverBus(delivery, outcome, statusCode);
  };
  /** {@link answer} of a request that came over the bus. */
  const answerOverBus = (
    delivery: Delivery,
    outcome: unknown,
    statusCode: number | undefined,
  ): Promise<void> => {
    const request = delivery.message;
    if (answered.has(request)) return DONE;
    answered.add(request);
    const response = countedAnswer(delivery, outcome, statusCode);
    if (response === undefined) {
      delivery.logger.debug('service: nothing to answer (no replyTo or contextID)', {
        action: delivery.topic,
      });
      return DONE;
    }
    return transport.publish(response.topic, response.message);
  };

  const answerFailure: FailHandler = (failure) => {
    const sent = answer(failure.delivery, asError(failure.error));
    const known = knownOutcome(sent);
    const onSent = (error?: unknown): 'finished' => {
      if (error !== undefined) {
        failure.delivery.logger.warn('service: could not send an error answer', {
          error: asError(error).message,
        });
      }
      failure.finish();
      return 'finished';
    };
    if (known !== undefined) return onSent(known.ok ? undefined : known.error);
    return sent.then(
      () => onSent(),
      (error: unknown) => onSent(error ?? 'unknown'),
    );
  };

  /** Answers `value`, the result of `action` for `delivery`, checked by `output` when it has one. */
  const reply = (
    delivery: Delivery,
    action: string,
    output: t.Type<unknown, unknown, unknown> | undefined,
    value: unknown,
  ): Promise<void> =>
    output === undefined ? answer(delivery, value) : replyChecked(delivery, action, output, value);
  /** {@link reply} of an action with a result codec. */
  const replyChecked = (
    delivery: Delivery,
    action: string,
    output: t.Type<unknown, unknown, unknown>,
    value: unknown,
  ): Promise<void> => {
    if (output.is(value)) return answer(delivery, output.encode(value));
    const decoded = output.decode(value);
    const issues = isLeft(decoded) ? toFieldIssues(decoded.left, 'result') : [];
    return answer(
      delivery,
      new ValidationError(issues, { subject: `result of ${action}` }),
      StatusCode.INTERNAL,
    );
  };

  /**
   * Answers a stream request (`requestStream`) with every value of an
   * Observable handler, each checked by `output` (a value it refuses ends the
   * stream with a 500), through `transport.respondStream`: the call is in
   * flight until the stream ends, and counted then.
   */
  const streamAnswer = (
    delivery: Delivery,
    action: string,
    values: Observable<unknown>,
    output?: t.Type<unknown, unknown, unknown>,
  ): Promise<void> => {
    const request = delivery.message;
    if (answered.has(request)) return DONE;
    answered.add(request);
    const items = values.pipe(
      map((value): JsonValue => {
        if (output === undefined) return (value ?? null) as JsonValue;
        if (output.is(value)) return output.encode(value) as JsonValue;
        const decoded = output.decode(value);
        const issues = isLeft(decoded) ? toFieldIssues(decoded.left, 'result') : [];
        throw Object.assign(new ValidationError(issues, { subject: `result of ${action}` }), {
          statusCode: StatusCode.INTERNAL,
        });
      }),
    );
    return transport.respondStream(request, items).then(
      (end) => record(delivery, end.reason === 'error' ? StatusCode.INTERNAL : StatusCode.OK),
      (error: unknown) => {
        // not streamed at all (not a valid stream request): the failure path answers it instead
        answered.delete(request);
        throw error;
      },
    );
  };

  /** The route handler of an action: runs `run`, answers its result (checked by `output`). */
  const handlerOf =
    (
      action: string,
      run: (delivery: Delivery) => unknown,
      output?: t.Type<unknown, unknown, unknown>,
    ): DeliveryHandler =>
    (delivery) => {
      const result = run(delivery);
      if (isObservable(result) || isPromiseLike(result))
        return replyWhenDone(delivery, action, output, result);
      const sent = reply(delivery, action, output, result);
      // answered already (in-process, or nothing to send): done, with no promise to look at
      return sent === DONE ? undefined : sent;
    };
  /** Answers what an action's Observable or promise gives. */
  const replyWhenDone = (
    delivery: Delivery,
    action: string,
    output: t.Type<unknown, unknown, unknown> | undefined,
    result: Observable<unknown> | PromiseLike<unknown>,
  ): ReturnType<DeliveryHandler> => {
    if (!isObservable(result))
      return Promise.resolve(result).then((value) => reply(delivery, action, output, value));
    if (isStreamRequest(delivery.message) && localCallOf(delivery.message) === undefined) {
      return streamAnswer(delivery, action, result, output);
    }
    return result.pipe(
      take(1),
      defaultIfEmpty(undefined),
      mergeMap((value) => settled(reply(delivery, action, output, value))),
    );
  };

  const contextOf = (action: string, delivery: Delivery): ActionContext => new CallContext(action, delivery);

  const notFound: DeliveryHandler = handlerOf('(not found)', (delivery) => {
    if (options?.onNotFound !== undefined) return options.onNotFound(delivery);
    throw new NotFoundError(delivery.topic);
  });

  const pipeline = servicePipeline({
    label: `service ${String(name)}`,
    logger,
    scheduler,
    answerFailure,
    middleware,
    codecOf: (delivery) => topicOf(delivery)?.action?.codec,
    routes,
    onNotFound: notFound,
    onPanic: (error) => notifyError(error, {}),
  });

  /** Counts a call out; `request` is a bus request (to forget it was answered), `undefined` for a local one. */
  const settle = (entry: TopicState, request: Message | undefined): void => {
    if (request !== undefined) answered.delete(request);
    inFlight -= 1;
    if (inFlight === 0 && state === 'stopping') drained$.next();
    entry.inFlight -= 1;
    // most topics that go idle (each synchronous in-process call's) are served, and none is retiring
    if (entry.inFlight <= 0 && (retiring.size > 0 || entry.action === undefined)) topicIdle(entry);
  };
  /** A topic with no call in flight: its consumer released if it was retiring, its state dropped if unserved. */
  const topicIdle = (entry: TopicState): void => {
    const { topic } = entry;
    if (retiring.delete(topic)) release(topic);
    // a topic of the namespace that nobody serves is not kept once its calls are answered
    if (entry.action === undefined && entry.series === undefined && topics.get(topic) === entry)
      topics.delete(topic);
  };

  /** Takes a delivery into the pipe, counted until it is answered (for the drain). */
  const admit = (delivery: Delivery): void => {
    const call = localCallOf<TopicState>(delivery.message);
    if (call === undefined) {
      admitFromBus(delivery);
      return;
    }
    inFlight += 1;
    call.target.inFlight += 1;
    // an in-process delivery is counted out by its deps' onSettled (no listener per call)
    intake?.next(delivery);
  };
  /** {@link admit} of a delivery from the bus. */
  const admitFromBus = (delivery: Delivery): void => {
    if (state !== 'started') {
      // paused already; this one was on its way: back to the broker, for another instance
      delivery.requeue(DRAIN_REQUEUE_DELAY_MS);
      return;
    }
    const request = delivery.message;
    const entry = topicState(delivery.topic);
    inFlight += 1;
    entry.inFlight += 1;
    delivery.whenSettled(() => settle(entry, request));
    intake?.next(delivery);
  };

  const release = (topic: string): void => {
    consumers.get(topic)?.unsubscribe();
    consumers.delete(topic);
  };

  const consume = (topic: string, onReady?: () => void, onError?: (error: unknown) => void): void => {
    retiring.delete(topic);
    if (consumers.has(topic)) {
      onReady?.();
      return;
    }
    const consumer = transport
      .subscribeTopic(topic, {
        channel: name,
        maxInFlight: concurrency,
        ...msgTimeout,
        paused$,
        ...(onReady === undefined ? {} : { onReady }),
      })
      .subscribe({
        next: admit,
        error: (error: unknown) => {
          consumers.delete(topic);
          logger.error('service: an action consumer failed', {
            action: topic,
            error: asError(error).message,
          });
          notifyError(error, { action: topic });
          onError?.(error);
        },
      });
    if (!consumer.closed) consumers.set(topic, consumer);
  };

  const serve = (
    action: string,
    codec: t.Decoder<unknown, unknown>,
    handler: DeliveryHandler,
    output?: t.Type<unknown, unknown, unknown>,
  ): void => {
    const topic = validateTopic(action);
    if (isLeft(topic)) throw topic.left;
    if (served.has(action)) throw new DuplicateActionError(action);
    if (typeof codec?.decode !== 'function') throw new TypeError(`action ${action} needs an io-ts codec`);
    const entry: ServedAction = { codec, handler, ...(output === undefined ? {} : { output }) };
    served.set(action, entry);
    const known = topics.get(action);
    if (known !== undefined) known.action = entry;
    routes.set(action, handler);
    logger.debug('service: action registered', { action });
    if (state$.value === 'started') consume(action);
  };

  const checkWiring = (): void => {
    if (typeof name !== 'string' || name === '') throw new MissingDependencyError('name');
    const channel = validateChannel(name);
    if (isLeft(channel))
      throw new MissingDependencyError('name', { detail: channel.left.message, cause: channel.left });
    if (typeof options.version !== 'string' || options.version === '')
      throw new MissingDependencyError('version');
    if (typeof transport !== 'object' || transport === null) throw new MissingDependencyError('transport');
    for (const method of TRANSPORT_METHODS) {
      if (typeof transport[method] !== 'function') {
        throw new MissingDependencyError('transport', { detail: `it has no ${method}()` });
      }
    }
    if (transport.closed) throw new MissingDependencyError('transport', { detail: 'it is closed' });
    if (namespace !== false && (typeof namespace !== 'string' || namespace === '')) {
      throw new MissingDependencyError('namespace', { detail: 'a topic prefix, or false' });
    }
    const describeName = validateTopic(describeTopic);
    if (isLeft(describeName)) {
      throw new MissingDependencyError('name', {
        detail: `its describe action cannot be a topic: ${describeName.left.message}`,
        cause: describeName.left,
      });
    }
  };

  const init = (): Promise<void> => {
    if (state$.value !== 'created') return Promise.resolve();
    try {
      checkWiring();
      setState('initialized');
      return Promise.resolve(andThen(hooks.onInit?.(), () => undefined));
    } catch (error) {
      return Promise.reject(error);
    }
  };

  const start = (): Promise<void> => {
    const current = state;
    if (current === 'started') return Promise.resolve();
    if (current === 'stopping') return Promise.reject(new BadRequestError(`service ${name} is stopping`));
    const begin = (): Promise<void> => {
      running = intake$.pipe(pipeline).subscribe();
      paused$.next(false);
      setState('started');
      if (namespace !== false) {
        namespaceConsumer = transport
          .subscribePrefix(namespace, { channel: name, maxInFlight: concurrency, ...msgTimeout, paused$ })
          .subscribe({
            next: admit,
            error: (error: unknown) => {
              logger.error('service: the namespace consumer failed', { error: asError(error).message });
              notifyError(error, {});
            },
          });
      }
      // onStart in the frame the last consumer is ready (at once on the memory broker, in virtual time too)
      return new Promise<void>((resolve, reject) => {
        const topics = [...served.keys()];
        let waiting = topics.length;
        const allReady = (): void => {
          try {
            const started = hooks.onStart?.();
            if (isPromiseLike(started)) Promise.resolve(started).then(() => resolve(), reject);
            else resolve();
          } catch (error) {
            reject(error);
          }
        };
        const ready = (): void => {
          waiting -= 1;
          if (waiting === 0) allReady();
        };
        for (const topic of topics) consume(topic, ready, reject);
        if (topics.length === 0) allReady();
      });
    };
    if (current === 'created') {
      try {
        checkWiring();
      } catch (error) {
        return Promise.reject(error);
      }
      setState('initialized');
      const onInit = hooks.onInit?.();
      return isPromiseLike(onInit) ? Promise.resolve(onInit).then(begin) : begin();
    }
    return begin();
  };

  const stop = (stopOptions?: StopOptions): Promise<void> => {
    if (stopping !== undefined) return stopping;
    const drainLimitMs = stopOptions?.drainTimeoutMs ?? drainTimeoutMs;
    if (state$.value !== 'started') return Promise.resolve();
    setState('stopping');
    paused$.next(true);
    stopping = new Promise<void>((resolve, reject) => {
      (inFlight === 0
        ? of(0)
        : drained$.pipe(
            first(),
            map(() => 0),
          )
      )
        .pipe(timeoutWith({ first: drainLimitMs, scheduler, with: () => of(-1) }))
        .subscribe((count) => {
          if (count < 0)
            logger.warn('service: drain timed out', {
              inFlight,
              drainTimeoutMs: drainLimitMs,
            });
          for (const topic of [...consumers.keys()]) release(topic);
          retiring.clear();
          namespaceConsumer?.unsubscribe();
          namespaceConsumer = undefined;
          running?.unsubscribe();
          running = undefined;
          setState('stopped');
          stopping = undefined;
          try {
            Promise.resolve(andThen(hooks.onStop?.(), () => undefined)).then(resolve, reject);
          } catch (error) {
            reject(error);
          }
        });
    });
    return stopping;
  };

  /** Each action's description, made once (a codec does not change once served). */
  const descriptions = new WeakMap<ServedAction, ActionDescription>();
  const descriptionOf = (action: string, entry: ServedAction): ActionDescription => {
    let description = descriptions.get(entry);
    if (description === undefined) {
      description = {
        name: action,
        input: toJsonSchema(entry.codec),
        ...(entry.output === undefined ? {} : { output: toJsonSchema(entry.output) }),
      };
      descriptions.set(entry, description);
    }
    return description;
  };

  const describe = (): ServiceDescription => ({
    name: String(name),
    version: String(options?.version),
    nodeId: String(transport?.nodeId),
    actions: [...served.entries()]
      .filter(([, entry]) => entry.builtIn !== true)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([action, entry]) => descriptionOf(action, entry)),
  });

  // served from the start, as any action, so that it is consumed, counted and answered as one
  const describeHandler = handlerOf(describeTopic, describe);
  served.set(describeTopic, { codec: DescribeInput, handler: describeHandler, builtIn: true });
  routes.set(describeTopic, describeHandler);

  /** In-process calls: timed out on one timer, delivered through the same pipe. */
  const channel = String(name);
  const deadlines = createDeadlines(scheduler);
  const localFailChain = failChainOf([answerFailure]);
  const localDeps: DeliveryDeps = {
    scheduler,
    logger,
    onSettled: (core) => settle((core.raw as LocalCall<TopicState>).target, undefined),
  };
  const deliverLocal = (call: LocalCall<TopicState>): void =>
    admit(
      createDelivery(
        call,
        call.nextMessage(),
        localDeps,
        undefined,
        call.attempts === 1 ? call.timestamp : undefined,
        // the pipe's first stage attaches the same handler: made with it, the delivery needs no view for it
        localFailChain,
      ),
    );
  const localHost: LocalCallHost<TopicState> = {
    redeliver: (call, delayMs) => {
      scheduler.schedule(() => {
        if (!call.done) deliverLocal(call);
      }, delayMs);
    },
    settled: (call) => deadlines.remove(call),
  };
  /** Context ids of in-process calls: unique (a random prefix per service), and cheap. */
  const nextLocalId = idSequence(`${newContextID()}-`);

  /**
   * Starts an in-process call through the same pipe: the answer comes back as
   * the bus would bring it (`call.listen`), or has come already when the
   * handler answered in this frame.
   */
  const startLocal = (
    target: TopicState,
    body: JsonObject,
    timeout: number,
    header: Readonly<Record<string, string>> | undefined,
  ): LocalCall<TopicState> => {
    const call = new LocalCall(
      nextLocalId(),
      target.topic,
      channel,
      target,
      scheduler.now(),
      timeout,
      body,
      header,
      localHost,
    );
    deliverLocal(call);
    // answered in the call's own frame (a synchronous handler): nothing to time out
    if (!call.done) deadlines.add(call, timeout, call.timestamp);
    return call;
  };

  /** The topic state of the action called last (most calls in a row call one action: no map lookup for them). */
  let lastCalled: TopicState | undefined;
  /** The topic state of `action` when this service serves it. */
  const servedTopic = (action: string): TopicState | undefined => {
    const last = lastCalled;
    // an entry whose action is set is the one in `topics` (one is dropped only once its action is removed)
    if (last !== undefined && last.topic === action && last.action !== undefined) return last;
    if (!served.has(action)) return undefined;
    lastCalled = topicState(action);
    return lastCalled;
  };

  /** A request timeout a call may have: a number of ms from 0 to `MAX_TTL_MS`. */
  const isValidTimeout = (timeout: unknown): timeout is number =>
    typeof timeout === 'number' && timeout >= 0 && timeout <= MAX_TTL_MS;
  const badTimeout = (timeout: unknown): BadRequestError =>
    new BadRequestError(
      `request timeout must be a number of ms from 0 to ${MAX_TTL_MS}, got ${String(timeout)}`,
    );
  const notAnObject = (action: string): BadRequestError =>
    new BadRequestError(`the input of ${action} must be an object`);

  /** A call checked and ready to go. */
  interface PreparedCall {
    readonly action: string;
    readonly body: JsonObject;
    readonly timeout: number;
    readonly output: t.Decoder<unknown, unknown> | undefined;
    /** The action's topic state when the call takes the in-process path. */
    readonly local: TopicState | undefined;
  }
  /**
   * Checks a call; throws a `BadRequestError` for a bad timeout or input. The
   * result is read field by field, never kept or passed on, so that V8 need
   * not make it (bench `services`, docs/benchmarks.md).
   */
  const prepare = (
    target: string | ActionDefinition<unknown, unknown>,
    input: unknown,
    timeoutOption: number | undefined,
  ): PreparedCall => {
    const definition = isActionDefinition(target) ? target : undefined;
    const action = definition?.name ?? (target as string);
    const timeout = timeoutOption ?? requestTimeoutMs;
    if (!isValidTimeout(timeout)) throw badTimeout(timeout);
    const body = (definition === undefined ? (input ?? {}) : definition.input.encode(input)) as JsonObject;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw notAnObject(action);
    const local = preferLocal && state === 'started' ? servedTopic(action) : undefined;
    return { action, body, timeout, output: definition?.output, local };
  };

  const overBus = (
    action: string,
    body: JsonObject,
    timeout: number,
    output: t.Decoder<unknown, unknown> | undefined,
    header: CallOptions['header'],
  ): Observable<unknown> =>
    transport
      .request(action, body, { timeout, ...(header === undefined ? {} : { header }) })
      .pipe(map((response) => callResult(action, response, output)));

  // written out, not defer + map: no operator chain per in-process call (bench `services`, docs/benchmarks.md)
  const call$ = (
    target: string | ActionDefinition<unknown, unknown>,
    input?: unknown,
    callOptions: CallOptions = {},
  ) =>
    new Observable<unknown>((subscriber) => {
      // a bad call throws: the subscriber gets the error
      const { action, body, timeout, output, local } = prepare(target, input, callOptions.timeout);
      if (local === undefined)
        return overBus(action, body, timeout, output, callOptions.header).subscribe(subscriber);
      const call = startLocal(local, body, timeout, callOptions.header);
      call.listen(
        (value) => {
          let result: unknown;
          try {
            result = checkOutput(action, value, output);
          } catch (error) {
            subscriber.error(error);
            return;
          }
          subscriber.next(result);
          subscriber.complete();
        },
        (error) => subscriber.error(error),
      );
      return () => call.cancel();
    });

  /** The default timeout passes `prepare`'s check. */
  const defaultTimeoutValid = isValidTimeout(requestTimeoutMs);

  const call = (
    target: string | ActionDefinition<unknown, unknown>,
    input?: unknown,
    callOptions?: CallOptions,
  ): Promise<unknown> => {
    // the most common call (an action served here, by name, an object, no options), with the checks of `prepare`
    // that it needs: short enough for V8 to inline into its caller whole (see `actionMetrics`)
    if (
      callOptions === undefined &&
      typeof target === 'string' &&
      typeof input === 'object' &&
      input !== null &&
      !Array.isArray(input) &&
      defaultTimeoutValid &&
      preferLocal &&
      state === 'started'
    ) {
      const local = servedTopic(target);
      if (local !== undefined) {
        const started = startLocal(local, input as JsonObject, requestTimeoutMs, undefined);
        return started.earlyOutcome === 'value'
          ? Promise.resolve(started.earlyResult)
          : settledLater(started, target, undefined);
      }
    }
    return callPrepared(target, input, callOptions);
  };
  const callPrepared = (
    target: string | ActionDefinition<unknown, unknown>,
    input: unknown,
    callOptions: CallOptions | undefined,
  ): Promise<unknown> => {
    let prepared: PreparedCall;
    try {
      prepared = prepare(target, input, callOptions?.timeout);
    } catch (error) {
      return Promise.reject(error);
    }
    const { action, body, timeout, output, local } = prepared;
    if (local === undefined)
      return firstValueFrom(overBus(action, body, timeout, output, callOptions?.header));
    const started = startLocal(local, body, timeout, callOptions?.header);
    // answered already (a synchronous handler): a settled promise, no resolving functions made
    if (started.earlyOutcome === 'value' && output === undefined) return Promise.resolve(started.earlyResult);
    return settledLater(started, action, output);
  };
  /** The promise of an in-process call not answered yet, or with a result codec, or failed. */
  const settledLater = (
    started: LocalCall<TopicState>,
    action: string,
    output: t.Decoder<unknown, unknown> | undefined,
  ): Promise<unknown> => {
    const early = started.earlyOutcome;
    if (early === 'error') return Promise.reject(started.earlyResult);
    if (early === 'value') {
      try {
        return Promise.resolve(checkOutput(action, started.earlyResult, output));
      } catch (error) {
        return Promise.reject(error);
      }
    }
    return new Promise((resolve, reject) =>
      started.listen(
        output === undefined
          ? resolve
          : (value) => {
              try {
                resolve(checkOutput(action, value, output));
              } catch (error) {
                reject(error);
              }
            },
        reject,
      ),
    );
  };

  const service: Service = {
    get name() {
      return name;
    },
    get version() {
      return options?.version;
    },
    get nodeId() {
      return transport?.nodeId;
    },
    get transport() {
      return transport;
    },
    metrics,
    get metricsPort() {
      return options?.metricsPort;
    },
    get state() {
      return state$.value;
    },
    state$: state$.asObservable(),
    actions: () =>
      [...served.entries()]
        .filter(([, entry]) => entry.builtIn !== true)
        .map(([action]) => action)
        .sort(),
    describe,
    action(
      target: string | ActionDefinition<unknown, unknown>,
      codecOrHandler: t.Decoder<unknown, unknown> | ActionHandler<unknown, unknown>,
      handler?: ActionHandler<unknown, unknown>,
      actionOptions?: ActionOptions<unknown>,
    ) {
      const definition = isActionDefinition(target) ? target : undefined;
      const action = definition?.name ?? (target as string);
      const codec = definition?.input ?? (codecOrHandler as t.Decoder<unknown, unknown>);
      const run = (definition === undefined ? handler : codecOrHandler) as ActionHandler<unknown, unknown>;
      if (typeof run !== 'function') throw new TypeError(`action ${action} needs a handler`);
      const output = definition?.output ?? actionOptions?.output;
      serve(
        action,
        codec,
        handlerOf(action, (d) => run(d.input, contextOf(action, d)), output),
        output,
      );
      return this;
    },
    registerAction(
      action: string,
      fields: readonly InputSchemaField[],
      run: ActionHandler<Record<string, unknown>, unknown>,
    ) {
      if (typeof run !== 'function') throw new TypeError(`action ${action} needs a handler`);
      const codec = fieldsCodec(fields);
      serve(
        action,
        codec,
        handlerOf(action, (d) => run(d.input as Record<string, unknown>, contextOf(action, d))),
      );
      return this;
    },
    removeAction(action: string) {
      if (served.get(action)?.builtIn === true || !served.delete(action)) return false;
      routes.delete(action);
      const known = topics.get(action);
      if (known !== undefined) known.action = undefined;
      if ((known?.inFlight ?? 0) === 0) release(action);
      else retiring.add(action);
      return true;
    },
    use(added: MonoTypeOperatorFunction<Delivery> | Middleware) {
      if (state$.value === 'started' || state$.value === 'stopping') {
        throw new BadRequestError(
          `service ${name}: use() before start(); middleware is read when the pipe starts`,
        );
      }
      middleware.push(middlewareOperator(added));
      return this;
    },
    call: call as Service['call'],
    call$: call$ as Service['call$'],
    init,
    start,
    stop,
  } as Service;
  return service;
};
