/**
 * Operator fusion for delivery pipes: operators that are one synchronous step
 * per delivery (`answerFailures`, `validate`) run inside the subscriber of the
 * operator after them instead of each in a subscriber of its own.
 *
 * A pipe of them reads and behaves the same; it costs less. Measured on the
 * service's in-process calls (bench `services`, docs/benchmarks.md): the two
 * hops before `route` and `route`'s own took a fifth of a call, although each
 * alone measured within noise.
 *
 * @packageDocumentation
 */
import { filter, map, pipe, type MonoTypeOperatorFunction, type OperatorFunction } from 'rxjs';
import type { Delivery } from '../delivery/types.js';

/**
 * One synchronous step on a delivery: the delivery to pass on (the same, or a
 * view of it), or `undefined` when the step took it out (it failed or settled
 * it). A throw is a failure of the stream, as a throw in `map` is.
 */
export type DeliveryStep = (delivery: Delivery) => Delivery | undefined;

const STEP = Symbol('rxmini.deliveryStep');
const AFTER = Symbol('rxmini.afterStep');

/** An operator that is a {@link DeliveryStep}, which {@link fuseDeliveries} can run without its subscriber. */
type StepOperator = MonoTypeOperatorFunction<Delivery> & { readonly [STEP]?: DeliveryStep };

/** An operator that can run a {@link DeliveryStep} on each delivery before its own work. */
type AfterStepOperator<R> = OperatorFunction<Delivery, R> & {
  readonly [AFTER]?: (step: DeliveryStep) => OperatorFunction<Delivery, R>;
};

/**
 * The operator of `step`: `map` through it, then what it took out left out.
 * Marked, so that {@link fuseDeliveries} can run `step` inside the next
 * operator's subscriber instead.
 */
export const stepOperator = (step: DeliveryStep): MonoTypeOperatorFunction<Delivery> =>
  Object.assign(
    pipe(
      map(step),
      filter((passed): passed is Delivery => passed !== undefined),
    ),
    { [STEP]: step },
  );

/** Marks `operator` as one that `makeWithStep(step)` makes run `step` first (see {@link fuseDeliveries}). */
export const acceptsStep = <R>(
  operator: OperatorFunction<Delivery, R>,
  makeWithStep: (step: DeliveryStep) => OperatorFunction<Delivery, R>,
): OperatorFunction<Delivery, R> => Object.assign(operator, { [AFTER]: makeWithStep });

const stepOf = (operator: unknown): DeliveryStep | undefined => (operator as StepOperator)[STEP];

/** `first`, then `second` on what `first` passed on. */
const thenStep =
  (first: DeliveryStep, second: DeliveryStep): DeliveryStep =>
  (delivery) => {
    const passed = first(delivery);
    return passed === undefined ? undefined : second(passed);
  };

/**
 * `source.pipe(...operators, last)`, with every run of step operators fused:
 * run one after the other in one subscriber, or, right before an operator
 * that accepts a step (`route`, `handleDeliveries`), in that operator's own
 * subscriber. Any other operator (the user's middleware) stays as it is, in
 * its place, and the order of everything is kept.
 */
export const fuseDeliveries =
  <R>(
    operators: readonly MonoTypeOperatorFunction<Delivery>[],
    last: OperatorFunction<Delivery, R>,
  ): OperatorFunction<Delivery, R> =>
  (source) => {
    let stream = source;
    let pending: DeliveryStep | undefined;
    for (const operator of operators) {
      const step = stepOf(operator);
      if (step !== undefined) {
        pending = pending === undefined ? step : thenStep(pending, step);
        continue;
      }
      if (pending !== undefined) stream = stream.pipe(stepOperator(pending));
      pending = undefined;
      stream = stream.pipe(operator);
    }
    if (pending === undefined) return stream.pipe(last);
    const withStep = (last as AfterStepOperator<R>)[AFTER];
    return withStep === undefined ? stream.pipe(stepOperator(pending), last) : stream.pipe(withStep(pending));
  };
