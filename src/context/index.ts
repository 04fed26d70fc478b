/**
 * The conversation store: context id → conversation waiting for its response,
 * with a TTL on the scheduler, a size bound and lifecycle events. Request/response
 * uses it to match the responses arriving on a node's muxed reply topic.
 *
 * @example
 * ```ts
 * import { createConversationStore } from 'rxmini';
 * const store = createConversationStore<string>({ ttlMs: 30_000 });
 * store.add({ id: 'c-1' });
 * store.waitTimeout('c-1', 5_000).subscribe((reply) => log.info('reply', { reply }));
 * store.done('c-1', 'pong'); // logs 'pong'
 * ```
 * @packageDocumentation
 */
export {
  DEFAULT_CONVERSATION_TTL_MS,
  DEFAULT_MAX_CONVERSATIONS,
  createConversationStore,
} from './createConversationStore.js';
export { ConversationCancelledError, ConversationLimitError, DuplicateConversationError } from './errors.js';
export { ConversationEventType } from './types.js';
export type {
  Conversation,
  ConversationEvent,
  ConversationInit,
  ConversationStats,
  ConversationStore,
  ConversationStoreOptions,
} from './types.js';
