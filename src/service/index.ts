/**
 * Services: typed actions behind one pipe of operators, in-process calls,
 * a lifecycle with a graceful drain, introspection, per-action metrics.
 * Isomorphic.
 *
 * @packageDocumentation
 */
export { createClient } from './createClient.js';
export type {
  ActionDefinitions,
  Client,
  ClientOptions,
  InputOf,
  OutputOf,
  SomeActionDefinition,
} from './createClient.js';
export { DEFAULT_SERVICE_CONCURRENCY, ServiceMetric, createService } from './createService.js';
export { defineAction, isActionDefinition } from './defineAction.js';
export type { ActionDefinition } from './defineAction.js';
export { ActionDescription, DESCRIBE_SUFFIX, ServiceDescription, describeAction } from './describe.js';
export { DuplicateActionError, MissingDependencyError } from './errors.js';
export { FieldType, fieldsCodec } from './fields.js';
export type { FieldRule, InputSchemaField } from './fields.js';
export { issuesOf } from './answer.js';
export { JSON_SCHEMA_DIALECT, fieldsJsonSchema, toJsonSchema } from './jsonSchema.js';
export type { JsonSchema, JsonSchemaType } from './jsonSchema.js';
export { answerFailures, servicePipeline } from './pipeline.js';
export type { ServicePipelineParts } from './pipeline.js';
export type {
  ActionContext,
  ActionHandler,
  ActionOptions,
  CallOptions,
  Service,
  ServiceErrorInfo,
  ServiceHooks,
  ServiceOptions,
  ServiceState,
  StopOptions,
} from './types.js';
