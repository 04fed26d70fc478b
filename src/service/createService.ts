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
  defer,
  first,
  firstValueFrom,
  from,
  isObservable,
  map,
  mergeMap,
  of,
  take,
  throwError,
  timeout as timeoutWith,
  type MonoTypeOperatorFunction,
  type Subscription,
} from 'rxjs';
import type { JsonObject, JsonValue } from '../codec/json.js';
import { newContextID, type Message } from '../codec/message.js';
import { toFieldIssues } from '../codec/issues.js';
import { MAX_TTL_MS } from '../constant/limits.js';
import { StatusCode } from '../constant/status.js';
import { validateChannel, validateTopic } from '../broker/names.js';
import { isPromiseLike, knownOutcome, promiseOf } from '../delivery/settled.js';
import type { Delivery, DeliveryHandler, FailHandler } from '../delivery/types.js';
import { BadRequestError, NotFoundError, TimeoutError, ValidationError } from '../errors.js';
import { noopLogger } from '../logger/noopLogger.js';
import { createMetrics } from '../metrics/createMetrics.js';
import { DRAIN_REQUEUE_DELAY_MS } from '../transport/consume.js';
import { DEFAULT_DRAIN_TIMEOUT_MS, DEFAULT_REQUEST_TIMEOUT_MS } from '../transport/createTransport.js';
import { statusOfError } from '../transport/respond.js';
import { StreamHeader } from '../transport/streamWire.js';
import type { Middleware } from '../transport/types.js';
import { answerFor, asError, callResult } from './answer.js';
import { isActionDefinition, type ActionDefinition } from './defineAction.js';
import { DESCRIBE_SUFFIX, type ActionDescription, type ServiceDescription } from './describe.js';
import { DuplicateActionError, MissingDependencyError } from './errors.js';
import { fieldsCodec, type InputSchemaField } from './fields.js';
import { toJsonSchema } from './jsonSchema.js';
import { localDelivery } from './localDelivery.js';
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
  const served = new Map<string, ServedAction>();
  const routes = new Map<string, DeliveryHandler>();
  const middleware: MonoTypeOperatorFunction<Delivery>[] = (options?.pipeline ?? []).map(middlewareOperator);
  const intake = new Subject<Delivery>();
  const paused$ = new BehaviorSubject(false);
  /** Consumers of the action topics, by topic. */
  const consumers = new Map<string, Subscription>();
  /** Topics of removed actions, let go once their calls in flight are answered. */
  const retiring = new Set<string>();
  const inFlightByTopic = new Map<string, number>();
  const inFlight$ = new BehaviorSubject(0);
  /** Requests answered already: a second answer is never sent. */
  const answered = new WeakSet<Message>();
  /** Requests of in-process calls: their answer goes to the waiting caller. */
  const local = new WeakMap<Message, (response: Message) => void>();
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

  /** Metric names and frozen label sets of an action, made on its first call (the hot path reuses them). */
  interface ActionMetrics {
    readonly calls: string;
    readonly errors: string;
    readonly latency: string;
    readonly labels: Map<number, Readonly<Record<string, string>>>;
  }
  const metricsOf = new Map<string, ActionMetrics>();
  const actionMetrics = (action: string): ActionMetrics => {
    let names = metricsOf.get(action);
    if (names === undefined) {
      const base = `action.${metricNameOf(action)}`;
      names = {
        calls: `${base}.calls`,
        errors: `${base}.errors`,
        latency: `${base}.latency_ms`,
        labels: new Map(),
      };
      metricsOf.set(action, names);
    }
    return names;
  };
  const labelsOf = (
    names: ActionMetrics,
    action: string,
    status: number,
  ): Readonly<Record<string, string>> => {
    let labels = names.labels.get(status);
    if (labels === undefined) {
      labels = Object.freeze({ action, status: String(status) });
      names.labels.set(status, labels);
    }
    return labels;
  };

  const record = (action: string, status: number, receivedAt: number): void => {
    try {
      if (!served.has(action)) {
        metrics.inc('action_not_found');
        return;
      }
      const names = actionMetrics(action);
      const latency = Math.max(0, scheduler.now() - receivedAt);
      metrics.inc(names.calls);
      if (status >= 400) metrics.inc(names.errors);
      metrics.observe(names.latency, latency);
      const labels = labelsOf(names, action, status);
      metrics.inc(ServiceMetric.calls, labels);
      metrics.observe(ServiceMetric.latency, latency, labels);
    } catch (error) {
      // a metric name clash must not cost the caller its answer
      logger.warn('service: could not record metrics', { action, error: asError(error).message });
    }
  };

  /** Answers the caller of `delivery` (once: later answers are dropped), counts it, and says when it is sent. */
  const answer = (delivery: Delivery, outcome: unknown, statusCode?: number): Promise<void> => {
    const request = delivery.message;
    if (answered.has(request)) return DONE;
    answered.add(request);
    const response = answerFor(request, outcome, statusCode);
    const status =
      response?.message.statusCode ??
      statusCode ??
      (outcome instanceof Error ? statusOfError(outcome) : StatusCode.OK);
    record(delivery.topic, status, delivery.receivedAt);
    if (outcome instanceof Error)
      notifyError(outcome, { action: delivery.topic, delivery, statusCode: status });
    const waiter = local.get(request);
    if (waiter !== undefined && response !== undefined) {
      waiter(response.message);
      return DONE;
    }
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
      (end) =>
        record(
          delivery.topic,
          end.reason === 'error' ? StatusCode.INTERNAL : StatusCode.OK,
          delivery.receivedAt,
        ),
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
      const reply = (value: unknown): Promise<void> => {
        if (output === undefined) return answer(delivery, value);
        if (output.is(value)) return answer(delivery, output.encode(value));
        const decoded = output.decode(value);
        const issues = isLeft(decoded) ? toFieldIssues(decoded.left, 'result') : [];
        return answer(
          delivery,
          new ValidationError(issues, { subject: `result of ${action}` }),
          StatusCode.INTERNAL,
        );
      };
      const result = run(delivery);
      if (isObservable(result)) {
        if (isStreamRequest(delivery.message) && !local.has(delivery.message)) {
          return streamAnswer(delivery, action, result, output);
        }
        return result.pipe(
          take(1),
          defaultIfEmpty(undefined),
          mergeMap((value) => settled(reply(value))),
        );
      }
      if (isPromiseLike(result)) return Promise.resolve(result).then(reply);
      return reply(result);
    };

  const contextOf = (action: string, delivery: Delivery): ActionContext => ({
    action,
    delivery,
    logger: delivery.logger,
    local: local.has(delivery.message),
  });

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
    codecOf: (delivery) => served.get(delivery.topic)?.codec,
    routes,
    onNotFound: notFound,
    onPanic: (error) => notifyError(error, {}),
  });

  const settle = (topic: string): void => {
    inFlight$.next(inFlight$.value - 1);
    const left = (inFlightByTopic.get(topic) ?? 1) - 1;
    if (left > 0) {
      inFlightByTopic.set(topic, left);
      return;
    }
    inFlightByTopic.delete(topic);
    if (retiring.delete(topic)) release(topic);
  };

  /** Takes a delivery into the pipe, counted until it is answered (for the drain). */
  const admit = (delivery: Delivery): void => {
    if (state$.value !== 'started' && !local.has(delivery.message)) {
      // paused already; this one was on its way: back to the broker, for another instance
      delivery.requeue(DRAIN_REQUEUE_DELAY_MS);
      return;
    }
    const topic = delivery.topic;
    inFlight$.next(inFlight$.value + 1);
    inFlightByTopic.set(topic, (inFlightByTopic.get(topic) ?? 0) + 1);
    delivery.whenSettled(() => settle(topic));
    intake.next(delivery);
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
    served.set(action, { codec, handler, ...(output === undefined ? {} : { output }) });
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
      state$.next('initialized');
      return Promise.resolve(andThen(hooks.onInit?.(), () => undefined));
    } catch (error) {
      return Promise.reject(error);
    }
  };

  const start = (): Promise<void> => {
    const state = state$.value;
    if (state === 'started') return Promise.resolve();
    if (state === 'stopping') return Promise.reject(new BadRequestError(`service ${name} is stopping`));
    const begin = (): Promise<void> => {
      running = intake.pipe(pipeline).subscribe();
      paused$.next(false);
      state$.next('started');
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
    if (state === 'created') {
      try {
        checkWiring();
      } catch (error) {
        return Promise.reject(error);
      }
      state$.next('initialized');
      const onInit = hooks.onInit?.();
      return isPromiseLike(onInit) ? Promise.resolve(onInit).then(begin) : begin();
    }
    return begin();
  };

  const stop = (stopOptions?: StopOptions): Promise<void> => {
    if (stopping !== undefined) return stopping;
    const drainLimitMs = stopOptions?.drainTimeoutMs ?? drainTimeoutMs;
    if (state$.value !== 'started') return Promise.resolve();
    state$.next('stopping');
    paused$.next(true);
    stopping = new Promise<void>((resolve, reject) => {
      inFlight$
        .pipe(
          first((count) => count === 0),
          timeoutWith({ first: drainLimitMs, scheduler, with: () => of(-1) }),
        )
        .subscribe((count) => {
          if (count < 0)
            logger.warn('service: drain timed out', {
              inFlight: inFlight$.value,
              drainTimeoutMs: drainLimitMs,
            });
          for (const topic of [...consumers.keys()]) release(topic);
          retiring.clear();
          namespaceConsumer?.unsubscribe();
          namespaceConsumer = undefined;
          running?.unsubscribe();
          running = undefined;
          state$.next('stopped');
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

  /** An in-process call through the same pipe: the answer comes back as the bus would bring it. */
  const callLocal = (
    action: string,
    body: JsonObject,
    timeout: number,
    header: Readonly<Record<string, string>> | undefined,
  ): Observable<Message> =>
    new Observable<Message>((subscriber) => {
      const contextID = newContextID();
      const timestamp = scheduler.now();
      let waiting = true;
      const timer = scheduler.schedule(() => {
        waiting = false;
        subscriber.error(new TimeoutError(`request ${action}`, timeout));
      }, timeout);
      const deliver = (attempts: number): void => {
        const delivery = localDelivery({
          action,
          channel: String(name),
          contextID,
          body,
          header,
          timeout,
          attempts,
          timestamp,
          scheduler,
          logger,
          onRequeue: (delayMs) => {
            scheduler.schedule(() => {
              if (waiting) deliver(attempts + 1);
            }, delayMs);
          },
        });
        local.set(delivery.message, (response) => {
          if (!waiting) return;
          waiting = false;
          timer.unsubscribe();
          subscriber.next(response);
          subscriber.complete();
        });
        admit(delivery);
      };
      deliver(1);
      return () => {
        waiting = false;
        timer.unsubscribe();
      };
    });

  const call$ = (
    target: string | ActionDefinition<unknown, unknown>,
    input?: unknown,
    callOptions: CallOptions = {},
  ) =>
    defer((): Observable<unknown> => {
      const definition = isActionDefinition(target) ? target : undefined;
      const action = definition?.name ?? (target as string);
      const timeout = callOptions.timeout ?? requestTimeoutMs;
      if (!(typeof timeout === 'number' && timeout >= 0 && timeout <= MAX_TTL_MS)) {
        return throwError(
          () =>
            new BadRequestError(
              `request timeout must be a number of ms from 0 to ${MAX_TTL_MS}, got ${String(timeout)}`,
            ),
        );
      }
      const body = (definition === undefined ? (input ?? {}) : definition.input.encode(input)) as JsonObject;
      if (typeof body !== 'object' || body === null || Array.isArray(body)) {
        return throwError(() => new BadRequestError(`the input of ${action} must be an object`));
      }
      const responses =
        preferLocal && state$.value === 'started' && routes.has(action)
          ? callLocal(action, body, timeout, callOptions.header)
          : transport.request(action, body, {
              timeout,
              ...(callOptions.header === undefined ? {} : { header: callOptions.header }),
            });
      return responses.pipe(map((response) => callResult(action, response, definition?.output)));
    });

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
      if ((inFlightByTopic.get(action) ?? 0) === 0) release(action);
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
    call: ((
      target: string | ActionDefinition<unknown, unknown>,
      input?: unknown,
      callOptions?: CallOptions,
    ) => firstValueFrom(call$(target, input, callOptions))) as Service['call'],
    call$: call$ as Service['call$'],
    init,
    start,
    stop,
  } as Service;
  return service;
};
