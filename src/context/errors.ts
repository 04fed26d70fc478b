import { ErrorCode, RxMiniError, type RxMiniErrorOptions } from '../errors.js';

/**
 * A conversation with this id is already open. The store refuses it instead of
 * overwriting the first caller's conversation, whose response would otherwise
 * go to the second.
 *
 * @example
 * ```ts
 * import { createConversationStore, DuplicateConversationError } from 'rxmini';
 * const store = createConversationStore();
 * store.add({ id: 'c-1' });
 * try {
 *   store.add({ id: 'c-1' });
 * } catch (e) {
 *   if (e instanceof DuplicateConversationError) e.id; // 'c-1'
 * }
 * ```
 */
export class DuplicateConversationError extends RxMiniError {
  readonly code = ErrorCode.DUPLICATE;
  constructor(
    /** The id already open. */
    readonly id: string,
    options?: RxMiniErrorOptions,
  ) {
    super(`conversation ${JSON.stringify(id)} is already open`, options);
  }
}

/**
 * The store holds its `maxSize` conversations; a new one is refused rather than
 * evicting an older one whose caller is still waiting.
 *
 * @example
 * ```ts
 * import { createConversationStore, ConversationLimitError } from 'rxmini';
 * const store = createConversationStore({ maxSize: 1 });
 * store.add({ id: 'c-1' });
 * try {
 *   store.add({ id: 'c-2' });
 * } catch (e) {
 *   if (e instanceof ConversationLimitError) e.maxSize; // 1
 * }
 * ```
 */
export class ConversationLimitError extends RxMiniError {
  readonly code = ErrorCode.CAPACITY;
  constructor(
    /** The id that was refused. */
    readonly id: string,
    /** The store's bound. */
    readonly maxSize: number,
    options?: RxMiniErrorOptions,
  ) {
    super(
      `cannot open conversation ${JSON.stringify(id)}: ${maxSize} conversations are already open`,
      options,
    );
  }
}

/**
 * The conversation was deleted while someone waited for its response.
 *
 * @example
 * ```ts
 * import { createConversationStore, ConversationCancelledError } from 'rxmini';
 * const store = createConversationStore();
 * store.add({ id: 'c-1' });
 * store.wait('c-1').subscribe({ error: (e) => e instanceof ConversationCancelledError });
 * store.delete('c-1');
 * ```
 */
export class ConversationCancelledError extends RxMiniError {
  readonly code = ErrorCode.CANCELLED;
  constructor(
    /** The deleted conversation's id. */
    readonly id: string,
    options?: RxMiniErrorOptions,
  ) {
    super(`conversation ${JSON.stringify(id)} was deleted before its response came`, options);
  }
}
