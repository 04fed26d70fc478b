/**
 * The message-level transport, written once over the {@link Broker} interface:
 * publish, request/response, broadcast, topic and prefix subscriptions,
 * retries, dead letters, middleware and the drain. Browser-safe (the NSQ broker
 * lives apart, in `./nsq`).
 *
 * @example
 * ```ts
 * import { memoryTransport, handleDeliveries } from 'rxmini';
 * const bus = memoryTransport({ service: 'orders' });
 * bus.subscribeTopic('orders.created').pipe(handleDeliveries(save)).subscribe();
 * ```
 * @packageDocumentation
 */
export type { Broker, BrokerConsumeOptions, BrokerDelivery, BrokerStatus } from './broker.js';
export { TransportMetric, type Counters } from './counters.js';
export {
  DEFAULT_DRAIN_TIMEOUT_MS,
  DEFAULT_MAX_PENDING_REQUESTS,
  DEFAULT_REQUEST_TIMEOUT_MS,
  DEFAULT_SERVICE,
  MAX_POLL_INTERVAL_MS,
  createTransport,
} from './createTransport.js';
export { DEFAULT_MSG_TIMEOUT_MS, DRAIN_REQUEUE_DELAY_MS, MAX_AUTO_TOUCH_MS } from './consume.js';
export {
  DEAD_LETTER_SUFFIX,
  deadLetterOf,
  deadLetterReason,
  defaultDeadLetterTopic,
  undecodableDeadLetter,
  type DeadLetterInfo,
} from './deadLetter.js';
export { asDelivery, deadlineBudget, isDelivery } from './delivery.js';
export { ResponseError } from './errors.js';
export {
  composeHandler,
  createMiddlewareRegistry,
  handlerMiddleware,
  operatorMiddleware,
} from './middleware.js';
export type { MiddlewareRegistry } from './middleware.js';
export { memoryTransport, type MemoryTransportOptions } from './memoryTransport.js';
export { MAX_NODE_ID_LENGTH, isValidNodeId, newNodeId } from './nodeId.js';
export { DEFAULT_POLL_INTERVAL_MS, matchingTopics, type PrefixFilter } from './prefix.js';
export { REPLY_CHANNEL, replyTopicOf } from './request.js';
export { isErrorResponse, responseTo, statusOfError } from './respond.js';
export {
  DEFAULT_RETRY_POLICY,
  MAX_REQUEUE_DELAY_MS,
  backoffDelay,
  checkRetryPolicy,
  completeRetryPolicy,
  isPermanentError,
  resolveRetryPolicy,
  shouldRetry,
} from './retry.js';
export { matchTopicPattern, matchingEntries } from './topicPattern.js';
export type {
  Delivery,
  DeliveryHandler,
  DeliveryState,
  FailHandler,
  FailOutcome,
  Failure,
  HandlerWrapper,
  Middleware,
  MiddlewareScope,
  RequestOptions,
  RetryPolicies,
  RetryPolicy,
  SubscribeBroadcastOptions,
  SubscribePrefixOptions,
  SubscribeTopicOptions,
  Transport,
  TransportOptions,
  TransportStatus,
} from './types.js';
