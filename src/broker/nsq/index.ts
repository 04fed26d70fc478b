/**
 * The NSQ connection layer (Node only): a publisher over one nsqd and a
 * consumer Observable, over nsqjs. Nothing outside this folder imports nsqjs.
 *
 * @packageDocumentation
 */
export { parseHostPort, type HostPort } from './address.js';
export { DEFAULT_RECONNECT, reconnectDelay, resolveReconnect, type ReconnectOptions } from './backoff.js';
export { mpubBodySize, splitIntoBatches } from './batch.js';
export type { NsqConnectionOptions, NsqTlsOptions } from './connectionOptions.js';
export { corkConnection, corkReader, corkWriter } from './cork.js';
export { consumeNsq, type NsqConsumerOptions } from './consumer.js';
export type { NsqDelivery, NsqDeliveryState } from './delivery.js';
export { PublishFailedError, PublishQueueFullError, PublishTimeoutError } from './errors.js';
export type { NsqdLimits } from './limits.js';
export { nsqBroker, type NsqBrokerOptions } from './nsqBroker.js';
export {
  createNsqPublisher,
  type NsqConnectionStatus,
  type NsqPublisher,
  type NsqPublishOptions,
  type NsqPublisherOptions,
  type NsqPublisherStats,
} from './publisher.js';
