/**
 * `createClient`: typed calls to a service's actions from the definitions
 * both sides import.
 *
 * @packageDocumentation
 */
import { BadRequestError } from '../errors.js';
import type { JsonObject } from '../codec/json.js';
import { MAX_TTL_MS } from '../constant/limits.js';
import { defer, firstValueFrom, map, throwError, type Observable } from 'rxjs';
import type * as t from 'io-ts';
import type { Transport } from '../transport/types.js';
import { callResult } from './answer.js';
import type { ActionDefinition } from './defineAction.js';
import type { CallOptions } from './types.js';

/**
 * What a client method needs of a definition (any {@link ActionDefinition}
 * fits; codecs are invariant in their type, so the constraint is structural).
 */
export interface SomeActionDefinition {
  readonly name: string;
  readonly input: { readonly encode: (input: never) => unknown };
  readonly output: t.Decoder<unknown, unknown>;
}

/** Action definitions by the method name the client gives each. */
export type ActionDefinitions = Readonly<Record<string, SomeActionDefinition>>;

/** The input type of an {@link ActionDefinition}. */
export type InputOf<D> = D extends { readonly input: t.Encoder<infer I, unknown> } ? I : never;

/** The output type of an {@link ActionDefinition}. */
export type OutputOf<D> = D extends { readonly output: t.Decoder<unknown, infer O> } ? O : never;

/** Method names the client has itself (`then` would make it look like a promise). */
const RESERVED: readonly string[] = ['call', 'call$', 'then'];

/** Options of {@link createClient}. */
export interface ClientOptions {
  /** Default timeout of a call, in ms; default the transport's request timeout. */
  readonly timeout?: number;
}

/** What {@link createClient} gives: one method per definition, plus `call`/`call$` for any definition. */
export type Client<A extends ActionDefinitions> = {
  readonly [K in keyof A]: (input: InputOf<A[K]>, options?: CallOptions) => Promise<OutputOf<A[K]>>;
} & {
  /** Calls `definition` with `input`; resolves with the output its codec decoded. */
  call<I, O>(definition: ActionDefinition<I, O>, input: I, options?: CallOptions): Promise<O>;
  /** {@link Client.call} as a cold Observable: the request goes out on subscribe, unsubscribing cancels the wait. */
  call$<I, O>(definition: ActionDefinition<I, O>, input: I, options?: CallOptions): Observable<O>;
};

/**
 * A typed client of a service: each action definition (see `defineAction`)
 * becomes a method whose input and output types come from its codecs. A call
 * encodes the input with the input codec, goes out with `transport.request`,
 * and decodes the answer with the output codec. It fails as `svc.call` does:
 * an error response is a `ResponseError` with its status (`issuesOf` lists
 * the fields of a 400), a result the output codec refuses is a
 * `ValidationError` (subject `result of <action>`), no answer in time is a
 * `TimeoutError`.
 *
 * @param transport - the bus the calls go out on (no service needed on this side).
 * @param actions - the definitions, by method name.
 * @example
 * ```ts
 * import * as t from 'io-ts';
 * import { createClient, defineAction, memoryTransport } from 'rxmini';
 * const Login = defineAction('auth.login', t.type({ email: t.string }), t.type({ token: t.string }));
 * const auth = createClient(memoryTransport(), { login: Login });
 * const { token } = await auth.login({ email: 'ada@example.com' }, { timeout: 2_000 });
 * ```
 * @see {@link defineAction}
 */
export const createClient = <A extends ActionDefinitions>(
  transport: Transport,
  actions: A,
  options: ClientOptions = {},
): Client<A> => {
  if (typeof transport?.request !== 'function') throw new TypeError('createClient needs a transport');
  const call$ = <I, O>(
    definition: ActionDefinition<I, O>,
    input: I,
    callOptions: CallOptions = {},
  ): Observable<O> =>
    defer(() => {
      const action = definition.name;
      const timeout = callOptions.timeout ?? options.timeout;
      if (timeout !== undefined && !(typeof timeout === 'number' && timeout >= 0 && timeout <= MAX_TTL_MS)) {
        return throwError(
          () =>
            new BadRequestError(
              `request timeout must be a number of ms from 0 to ${MAX_TTL_MS}, got ${String(timeout)}`,
            ),
        );
      }
      const body = definition.input.encode(input) as JsonObject;
      if (typeof body !== 'object' || body === null || Array.isArray(body)) {
        return throwError(() => new BadRequestError(`the input of ${action} must be an object`));
      }
      return transport
        .request(action, body, {
          ...(timeout === undefined ? {} : { timeout }),
          ...(callOptions.header === undefined ? {} : { header: callOptions.header }),
        })
        .pipe(map((response) => callResult(action, response, definition.output)));
    });
  const call = <I, O>(definition: ActionDefinition<I, O>, input: I, callOptions?: CallOptions): Promise<O> =>
    firstValueFrom(call$(definition, input, callOptions));
  const methods = Object.fromEntries(
    Object.entries(actions).map(([method, definition]) => {
      if (RESERVED.includes(method)) {
        throw new TypeError(
          `createClient: ${method} is taken by the client; give the action another method name`,
        );
      }
      if (typeof definition?.input?.encode !== 'function') {
        throw new TypeError(`createClient: ${method} is not an action definition (see defineAction)`);
      }
      return [
        method,
        (input: unknown, callOptions?: CallOptions) =>
          call(definition as ActionDefinition<unknown, unknown>, input, callOptions),
      ];
    }),
  );
  return { ...methods, call, call$ } as Client<A>;
};
