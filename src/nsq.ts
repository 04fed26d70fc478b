/**
 * `rxmini/nsq` (Node only): the transport over a real nsqd, and the NSQ
 * connection layer under it (a publisher over one nsqd, a consumer Observable,
 * TLS and AUTH options), over nsqjs and `node:net`/`node:tls`. Kept out of the
 * root entry so that `rxmini` bundles for a browser.
 *
 * @example
 * ```ts
 * import { handleDeliveries } from 'rxmini';
 * import { nsqTransport } from 'rxmini/nsq';
 * const bus = nsqTransport({ nsqd: ['127.0.0.1:4150'], service: 'orders' });
 * bus.subscribeTopic('orders.created').pipe(handleDeliveries(save)).subscribe();
 * ```
 * @packageDocumentation
 */

// the message-level transport over nsqd
export { nsqTransport } from './transport/nsqTransport.js';
export type { NsqTransportOptions } from './transport/nsqTransport.js';

// the NSQ broker and its connection layer
export {
  DEFAULT_RECONNECT,
  PublishFailedError,
  PublishQueueFullError,
  PublishTimeoutError,
  consumeNsq,
  createNsqPublisher,
  nsqBroker,
} from './broker/nsq/index.js';
export type {
  NsqBrokerOptions,
  NsqConnectionOptions,
  NsqConnectionStatus,
  NsqConsumerOptions,
  NsqDelivery,
  NsqDeliveryState,
  NsqPublishOptions,
  NsqPublisher,
  NsqPublisherOptions,
  NsqPublisherStats,
  NsqTlsOptions,
  NsqdLimits,
  ReconnectOptions,
} from './broker/nsq/index.js';
