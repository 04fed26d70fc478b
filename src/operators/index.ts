/**
 * rxmini's operators, one per file, each named after its file.
 *
 * @example
 * ```ts
 * import { measureLatency, recoverWithContext } from 'rxmini';
 * deliveries$.pipe(recoverWithContext({ label: 'orders', process: handle }));
 * request$.pipe(measureLatency(metrics, 'rpc.auth.login'));
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
