/**
 * Introspection: what a service tells about itself, and the action that asks it.
 *
 * @packageDocumentation
 */
import * as t from 'io-ts';
import { defineAction, type ActionDefinition } from './defineAction.js';
import type { JsonSchema as JsonSchemaType } from './jsonSchema.js';

/**
 * The suffix of a service's describe action: `<service>._describe`. Not
 * `$describe`: an NSQ topic (and every action is one) allows only
 * `[.a-zA-Z0-9_-]`. Under the service name, the namespace consumer's
 * prefix covers it, and the service's channel shares it between instances.
 */
export const DESCRIBE_SUFFIX = '._describe';

/** A JSON Schema, checked only as an object: its keywords are the describing service's business. */
const JsonSchemaCodec = new t.Type<JsonSchemaType, JsonSchemaType, unknown>(
  'JsonSchema',
  (u): u is JsonSchemaType => t.UnknownRecord.is(u),
  (u, c) => (t.UnknownRecord.is(u) ? t.success(u as JsonSchemaType) : t.failure(u, c)),
  t.identity,
);

/**
 * One action as `describe` tells it: its name, the JSON Schema (draft
 * 2020-12) of its input, and of its output when it has an output codec.
 *
 * @example
 * ```ts
 * import { ActionDescription } from 'rxmini';
 * const ok = ActionDescription.is({ name: 'auth.login', input: { type: 'object' } }); // true
 * ```
 */
export const ActionDescription = t.intersection([
  t.type({ name: t.string, input: JsonSchemaCodec }),
  t.partial({ output: JsonSchemaCodec }),
]);
/** One action as `describe` tells it (see the codec of the same name). */
export type ActionDescription = t.TypeOf<typeof ActionDescription>;

/**
 * What a service tells about itself: `svc.describe()`, and the answer of its
 * describe action (see {@link describeAction}).
 *
 * @example
 * ```ts
 * import { ServiceDescription } from 'rxmini';
 * const ok = ServiceDescription.is({ name: 'auth', version: 'v1', nodeId: 'n1', actions: [] }); // true
 * ```
 */
export const ServiceDescription = t.type({
  name: t.string,
  version: t.string,
  nodeId: t.string,
  actions: t.array(ActionDescription),
});
/** What a service tells about itself (see the codec of the same name). */
export type ServiceDescription = t.TypeOf<typeof ServiceDescription>;

/**
 * The describe action of the service named `service`, `<service>._describe`,
 * as a shared {@link ActionDefinition}: call it like any action, from any
 * node, and get its {@link ServiceDescription}. Every service serves its own.
 *
 * @example
 * ```ts
 * import { createService, describeAction } from 'rxmini';
 * const client = createService({ name: 'client', version: 'v1', transport: bus });
 * const { actions } = await client.call(describeAction('auth'), {}); // over the bus, from another node
 * log.info('auth serves', { actions: actions.map((a) => a.name) });
 * ```
 * @see {@link DESCRIBE_SUFFIX}
 */
export const describeAction = (
  service: string,
): ActionDefinition<Record<string, never>, ServiceDescription> =>
  defineAction(
    `${service}${DESCRIBE_SUFFIX}`,
    t.type({}) as t.Type<Record<string, never>, unknown, unknown>,
    ServiceDescription,
  );
