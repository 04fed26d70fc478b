/**
 * The memory broker: NSQ's semantics in process, on an RxJS scheduler.
 * Browser-safe.
 *
 * @packageDocumentation
 */
export { QueueFullError, type BrokerQueue } from './errors.js';
export { DEFAULT_MAX_MESSAGE_BYTES, DEFAULT_MAX_QUEUED, memoryBroker } from './memoryBroker.js';
export type {
  MemoryBroker,
  MemoryBrokerOptions,
  MemoryBrokerStats,
  MemoryChannelStats,
  MemoryTopicStats,
} from './types.js';
