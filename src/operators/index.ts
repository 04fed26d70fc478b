/**
 * rxmini's operators, one per file, each named after its file.
 *
 * @example
 * ```ts
 * import { measureLatency, recoverWithContext } from 'rxmini';
 * bus.subscribeTopic('orders.created').pipe(recoverWithContext({ label: 'orders', process: (d) => save(d.message.body) }));
 * bus.request('auth.login').pipe(measureLatency(metrics, 'rpc.auth.login_ms'));
 * ```
 * @packageDocumentation
 */
export { measureLatency } from './measureLatency.js';
export { recoverWithContext } from './recoverWithContext.js';
export type {
  ProcessResult,
  RecoverWithContextBaseOptions,
  RecoverWithContextOptions,
  RecoverWithOperatorOptions,
  RecoverWithProcessOptions,
} from './recoverWithContext.js';
export { expireAfter } from './expireAfter.js';
export type { ExpireAfterConfig, Expiry } from './expireAfter.js';
export { handleDeliveries } from './handleDeliveries.js';
export type { HandleDeliveriesOptions, HandledDelivery } from './handleDeliveries.js';
export { deadLetter, deadLetterFailHandler } from './deadLetter.js';
export { decodePayload } from './decodePayload.js';
export type { DeadLetterOptions } from './deadLetter.js';
export { DEFAULT_DEDUPE_MAX, DEFAULT_DEDUPE_TTL_MS, dedupe } from './dedupe.js';
export type { DedupeOptions } from './dedupe.js';
export { retryFailHandler, retryWithBackoff } from './retryWithBackoff.js';
export type { RetryWithBackoffOptions } from './retryWithBackoff.js';
export { route } from './route.js';
export type { RouteOptions, RouteTable } from './route.js';
export { validate } from './validate.js';
export type { CodecOf, Validate } from './validate.js';
export { wrapHandlers } from './wrapHandlers.js';
