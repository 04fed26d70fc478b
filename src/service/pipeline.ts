/**
 * The one pipe every call goes through, over the bus or in-process.
 *
 * @packageDocumentation
 */
import { retry, timer, type MonoTypeOperatorFunction, type OperatorFunction, type SchedulerLike } from 'rxjs';
import { asDelivery } from '../delivery/delivery.js';
import type { Delivery, DeliveryHandler, FailHandler } from '../delivery/types.js';
import type { ILogger } from '../logger/types.js';
import type { HandledDelivery } from '../operators/handleDeliveries.js';
import { fuseDeliveries, stepOperator } from '../operators/fuse.js';
import { route, type RouteTable } from '../operators/route.js';
import { validate, type CodecOf } from '../operators/validate.js';
import { wrapHandlers } from '../operators/wrapHandlers.js';
import { reportPanic } from '../recover/panicHook.js';
import type { Middleware } from '../transport/types.js';

/** What {@link servicePipeline} is built from. */
export interface ServicePipelineParts {
  /** Names the service in panic reports and logs. */
  readonly label: string;
  readonly logger: ILogger;
  /** Clock of the restart after a panic. */
  readonly scheduler: SchedulerLike;
  /** Answers the caller of a failed delivery (a refused input, an unknown action, a thrown error) and finishes it. */
  readonly answerFailure: FailHandler;
  /** The user's middleware, in the order given. */
  readonly middleware: readonly MonoTypeOperatorFunction<Delivery>[];
  /** The codec of a delivery's action (`undefined` for an unknown one: it goes on to a 404). */
  readonly codecOf: CodecOf;
  /** The handler of each action, looked up per delivery (routes come and go at run time). */
  readonly routes: RouteTable;
  /** Handles a delivery no route matches. */
  readonly onNotFound: DeliveryHandler;
  /** Told of a failure that ended the pipe (a middleware operator that errored); the pipe restarts. */
  readonly onPanic: (error: unknown) => void;
}

/**
 * Middleware as an operator over deliveries: an operator as it is; a
 * transport `Middleware` as the transport would pipe it (`wrapHandlers` for
 * the handler form).
 */
export const middlewareOperator = (
  middleware: MonoTypeOperatorFunction<Delivery> | Middleware,
): MonoTypeOperatorFunction<Delivery> => {
  if (typeof middleware === 'function') return middleware;
  if (middleware?.kind === 'operator' && typeof middleware.operator === 'function')
    return middleware.operator;
  if (middleware?.kind === 'handler' && typeof middleware.wrap === 'function')
    return wrapHandlers(middleware.wrap);
  throw new TypeError(
    'middleware must be an operator, or a Middleware from operatorMiddleware/handlerMiddleware',
  );
};

/**
 * Every failure further down the pipe answers its caller once, with its
 * status, and finishes the delivery (a call is answered, never retried or
 * dead-lettered): the failure handler runs first, before the transport's.
 */
export const answerFailures = (answerFailure: FailHandler): MonoTypeOperatorFunction<Delivery> =>
  stepOperator((delivery) => asDelivery(delivery, 'service').withFailHandler(answerFailure));

/**
 * A failure of the pipe itself (only an operator the user put in it can
 * error it: handlers and answers are contained per delivery) is reported and
 * the pipe subscribed again, on the next tick: the service keeps serving.
 */
const restartOnPanic =
  <T>(parts: ServicePipelineParts): MonoTypeOperatorFunction<T> =>
  (source) =>
    source.pipe(
      retry({
        delay: (error: unknown) => {
          reportPanic(parts.label, error, { logger: parts.logger });
          parts.onPanic(error);
          return timer(0, parts.scheduler);
        },
      }),
    );

/**
 * The service, as one pipe: recover → answer failures → the user's
 * middleware → validate → route. The route's handler answers a result; every
 * failure on the way (a middleware refusal, a 400, a 404, a thrown error)
 * goes to `answerFailure`, so each call is answered exactly once, and each
 * middleware sees each call once.
 */
export const servicePipeline = (parts: ServicePipelineParts): OperatorFunction<Delivery, HandledDelivery> => {
  // as `pipe(...)`, with the steps fused into the subscriber after them (answerFailures and validate into
  // route's); made when subscribed: the middleware is read when the pipe starts
  const handle: OperatorFunction<Delivery, HandledDelivery> = (deliveries) =>
    fuseDeliveries(
      [
        answerFailures(parts.answerFailure), // respond: every failure below answers its caller, once
        ...parts.middleware, // the user's middleware, in the order given
        validate(parts.codecOf), // the action's codec or field list: a 400 listing every failing field
      ],
      route(parts.routes, {
        key: (delivery) => delivery.topic, // the topic, not `message.node`: a message cannot pick another action
        onNotFound: parts.onNotFound,
        label: parts.label,
        logger: parts.logger,
        outcomes: false, // nobody reads the pipe's values: each call is answered by its handler or answerFailure
      }), // the action's handler answers its result
    )(deliveries);
  return (deliveries) => deliveries.pipe(handle, restartOnPanic(parts)); // recover
};
