/**
 * The message-level transport, written once over the {@link Broker} interface:
 * publish, request/response, broadcast, topic and prefix subscriptions,
 * retries, dead letters, middleware and the drain. Browser-safe (the brokers
 * live one layer down, in `src/broker/`; `nsqTransport` is in `./nsqTransport.ts`).
 *
 * @example
 * ```ts
 * import { memoryTransport, handleDeliveries } from 'rxmini';
 * const bus = memoryTransport({ service: 'orders' });
 * bus.subscribeTopic('orders.created').pipe(handleDeliveries(save)).subscribe();
 * ```
 * @packageDocumentation
 */
export type {
  Broker,
  BrokerConsumeOptions,
  BrokerDelivery,
  BrokerPublishOptions,
  BrokerStatus,
} from '../broker/types.js';
export { TransportMetric, type Counters } from './counters.js';
export {
  DEFAULT_DRAIN_TIMEOUT_MS,
  DEFAULT_MAX_PENDING_REQUESTS,
  DEFAULT_REQUEST_TIMEOUT_MS,
  DEFAULT_SERVICE,
  MAX_POLL_INTERVAL_MS,
  createTransport,
} from './createTransport.js';
export { DEFAULT_MAX_IN_FLIGHT, DRAIN_REQUEUE_DELAY_MS } from './consume.js';
export { ResponseError } from './errors.js';
export { createMiddlewareRegistry, handlerMiddleware, operatorMiddleware } from './middleware.js';
export type { MiddlewareRegistry } from './middleware.js';
export { memoryTransport, type MemoryTransportOptions } from './memoryTransport.js';
export { MAX_NODE_ID_LENGTH, isValidNodeId, newNodeId } from './nodeId.js';
export {
  DEFAULT_MAX_LIST_FAILURES,
  DEFAULT_POLL_INTERVAL_MS,
  matchingTopics,
  type PrefixFilter,
} from './prefix.js';
export { REPLY_CHANNEL, replyTopicOf } from './request.js';
export { isErrorResponse, responseTo, statusOfError } from './respond.js';
export { resolveRetryPolicy } from './retry.js';
export { DEFAULT_MAX_BUFFERED } from './streams.js';
export { StreamIdleError, StreamOverflowError, StreamProtocolError } from './streamErrors.js';
export type {
  RequestStreamOptions,
  RespondStreamOptions,
  StreamEnd,
  StreamItem,
  StreamSource,
} from './streamTypes.js';
export { DEFAULT_STREAM_WINDOW, MAX_STREAM_WINDOW, StreamHeader, streamTopicOf } from './streamWire.js';
export { matchTopicPattern, matchingEntries } from './topicPattern.js';
export type {
  DiscoveryEvent,
  Middleware,
  MiddlewareScope,
  PublishOptions,
  ReadyObservable,
  RequestOptions,
  RetryPolicies,
  SubscribeBroadcastOptions,
  SubscribePrefixOptions,
  SubscribeTopicOptions,
  Transport,
  TransportCompat,
  TransportOptions,
  TransportStatus,
} from './types.js';
