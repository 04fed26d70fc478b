/**
 * Transport middleware (`bus.use`): operators the transport pipes onto every
 * matching subscription when it starts, registered globally or for a topic
 * pattern.
 *
 * @packageDocumentation
 */
import { identity, type MonoTypeOperatorFunction } from 'rxjs';
import { wrapHandlers } from '../operators/wrapHandlers.js';
import { matchTopicPattern } from './topicPattern.js';
import type { Middleware, MiddlewareScope } from './types.js';
import type { Delivery, HandlerWrapper } from '../delivery/types.js';

/**
 * Middleware from an RxJS operator over the delivery stream.
 *
 * @example
 * ```ts
 * import { tap } from 'rxjs';
 * import { operatorMiddleware } from 'rxmini';
 * bus.use(operatorMiddleware(tap((d) => metrics.inc(`received.${d.topic}`))));
 * ```
 * @see {@link Middleware}
 */
export const operatorMiddleware = (operator: MonoTypeOperatorFunction<Delivery>): Middleware => ({
  kind: 'operator',
  operator,
});

/**
 * Middleware from a handler wrapper: the transport pipes `wrapHandlers(wrap)`
 * onto matching subscriptions, and `handleDeliveries` runs its handler inside.
 *
 * @example
 * ```ts
 * import { handlerMiddleware } from 'rxmini';
 * bus.use(
 *   handlerMiddleware((next) => async (d) => {
 *     if (d.expired) return; // finished by handleDeliveries, nobody waits for it
 *     await next(d);
 *   }),
 * );
 * ```
 * @see {@link Middleware}
 */
export const handlerMiddleware = (wrap: HandlerWrapper): Middleware => ({ kind: 'handler', wrap });

interface Registration {
  readonly middleware: Middleware;
  /** `undefined`: every topic. */
  readonly pattern: string | undefined;
}

/** The middleware of one transport. */
export interface MiddlewareRegistry {
  /** Registers `middleware` for `scope`; returns its removal (idempotent). */
  add(middleware: Middleware, scope?: MiddlewareScope): () => void;
  /**
   * Every middleware that applies to `topic` now, as one operator: global
   * first, then in registration order; handler wrappers as `wrapHandlers`.
   */
  operatorFor(topic: string): MonoTypeOperatorFunction<Delivery>;
}

/**
 * A middleware registry. Global middleware (no `scope.topic`, or `*`) applies
 * before topic-scoped middleware; each group in registration order.
 */
export const createMiddlewareRegistry = (): MiddlewareRegistry => {
  const registrations: Registration[] = [];

  const applying = (topic: string): Registration[] => {
    const global = registrations.filter(
      (r) => r.pattern === undefined || matchTopicPattern(r.pattern, topic) === 0,
    );
    const scoped = registrations.filter(
      (r) => r.pattern !== undefined && matchTopicPattern(r.pattern, topic) > 0,
    );
    return [...global, ...scoped];
  };

  return {
    add(middleware, scope) {
      if (
        typeof middleware !== 'object' ||
        middleware === null ||
        (middleware.kind === 'operator' && typeof middleware.operator !== 'function') ||
        (middleware.kind === 'handler' && typeof middleware.wrap !== 'function') ||
        (middleware.kind !== 'operator' && middleware.kind !== 'handler')
      ) {
        throw new TypeError('middleware must come from operatorMiddleware() or handlerMiddleware()');
      }
      const registration: Registration = { middleware, pattern: scope?.topic };
      registrations.push(registration);
      return () => {
        const index = registrations.indexOf(registration);
        if (index >= 0) registrations.splice(index, 1);
      };
    },
    operatorFor(topic) {
      const operators = applying(topic).map(({ middleware }) =>
        middleware.kind === 'operator' ? middleware.operator : wrapHandlers<Delivery>(middleware.wrap),
      );
      if (operators.length === 0) return identity;
      return (source) => operators.reduce((stream, operator) => operator(stream), source);
    },
  };
};
