/**
 * Action definitions shared by the service that serves an action and the
 * clients that call it.
 *
 * @packageDocumentation
 */
import type * as t from 'io-ts';

/**
 * An action's name and the codecs of its input and output: one value both
 * sides import, so `svc.action(definition, handler)` and
 * `client.call(definition, input)` agree on the types.
 *
 * @typeParam I - the input, as the handler gets it.
 * @typeParam O - the output, as the caller gets it.
 * @example
 * ```ts
 * import * as t from 'io-ts';
 * import { defineAction, type ActionDefinition } from 'rxmini';
 * export const Login: ActionDefinition<{ email: string }, { token: string }> = defineAction(
 *   'auth.login',
 *   t.type({ email: t.string }),
 *   t.type({ token: t.string }),
 * );
 * ```
 */
export interface ActionDefinition<I, O> {
  /** The action (and its topic), e.g. `auth.login`. */
  readonly name: string;
  /** Checks the input before the handler runs; its `encode` gives the body sent. */
  readonly input: t.Type<I, unknown, unknown>;
  /** Checks the handler's result, and the result a caller receives. */
  readonly output: t.Type<O, unknown, unknown>;
}

/**
 * An {@link ActionDefinition}, with the input and output types inferred from the codecs.
 *
 * @example
 * ```ts
 * import * as t from 'io-ts';
 * import { createService, defineAction, memoryTransport } from 'rxmini';
 * const Login = defineAction('auth.login', t.type({ email: t.string }), t.type({ token: t.string }));
 * const svc = createService({ name: 'auth', version: 'v1', transport: memoryTransport() });
 * svc.action(Login, ({ email }) => ({ token: `jwt-for-${email}` }));
 * const { token } = await svc.call(Login, { email: 'ada@example.com' });
 * ```
 */
export const defineAction = <I, O>(
  name: string,
  input: t.Type<I, unknown, unknown>,
  output: t.Type<O, unknown, unknown>,
): ActionDefinition<I, O> => {
  if (typeof name !== 'string' || name === '') throw new TypeError('an action needs a name');
  if (typeof input?.decode !== 'function' || typeof output?.decode !== 'function') {
    throw new TypeError(`action ${name} needs an input and an output codec`);
  }
  return Object.freeze({ name, input, output });
};

/** True when `value` is an {@link ActionDefinition} (not an action name). */
export const isActionDefinition = (value: unknown): value is ActionDefinition<unknown, unknown> =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as { name?: unknown }).name === 'string' &&
  typeof (value as { input?: { decode?: unknown } }).input?.decode === 'function';
