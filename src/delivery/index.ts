/**
 * Deliveries: what every operator and the transport hand on. The
 * {@link Delivery} with its guarded acknowledgements and failure handlers, the
 * retry policy of `retryWithBackoff`, and the dead-letter message format.
 * Below the operators and the transport; above the broker. Browser-safe.
 *
 * @packageDocumentation
 */
export { composeHandler } from './composeHandler.js';
export {
  DEAD_LETTER_SUFFIX,
  deadLetterOf,
  deadLetterReason,
  defaultDeadLetterTopic,
  undecodableDeadLetter,
  type DeadLetterInfo,
} from './deadLetter.js';
export { asDelivery, createDelivery, deadlineBudget, isDelivery } from './delivery.js';
export type { DeliveryDeps, DeliveryTimeouts } from './delivery.js';
export {
  DEFAULT_RETRY_POLICY,
  backoffDelay,
  checkRetryPolicy,
  completeRetryPolicy,
  isPermanentError,
  shouldRetry,
} from './retry.js';
export type {
  Delivery,
  DeliveryHandler,
  DeliveryState,
  FailHandler,
  FailOutcome,
  Failure,
  HandlerWrapper,
  RetryPolicy,
} from './types.js';
