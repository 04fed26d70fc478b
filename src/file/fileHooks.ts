/**
 * The original's receive hooks, as an operator over {@link FileEvent}s.
 *
 * @packageDocumentation
 */
import { tap, type MonoTypeOperatorFunction } from 'rxjs';
import type { FileEvent } from './types.js';

type EventOf<T extends FileEvent['type']> = Extract<FileEvent, { readonly type: T }>;

/** Callbacks of {@link fileHooks}; each optional. */
export interface FileHooks {
  /** A chunk was written. */
  readonly onChunk?: (event: EventOf<'chunk'>) => void;
  /** A file was assembled, verified and committed. */
  readonly onComplete?: (event: EventOf<'completed'>) => void;
  /** Chunks were still missing after the timeout (they are asked for again). */
  readonly onTimeout?: (event: EventOf<'timeout'>) => void;
  /** A transfer failed. */
  readonly onFailed?: (event: EventOf<'failed'>) => void;
}

/**
 * Calls the original's hooks (`onChunk`, `onComplete`, `onTimeout`, plus
 * `onFailed`) for the events of `receiveFiles` as they pass, and passes every
 * event on unchanged. A hook that throws errors the stream, as `tap` does.
 *
 * @example
 * ```ts
 * import { fileHooks, memoryTransport, memoryWriter, receiveFiles } from 'rxmini';
 * receiveFiles(memoryTransport(), 'uploads', { writer: memoryWriter() })
 *   .pipe(fileHooks({ onComplete: (e) => log.info('file', { name: e.name, sha256: e.sha256 }) }))
 *   .subscribe();
 * ```
 */
export const fileHooks = (hooks: FileHooks): MonoTypeOperatorFunction<FileEvent> =>
  tap((event) => {
    switch (event.type) {
      case 'chunk':
        return hooks.onChunk?.(event);
      case 'completed':
        return hooks.onComplete?.(event);
      case 'timeout':
        return hooks.onTimeout?.(event);
      case 'failed':
        return hooks.onFailed?.(event);
      default:
        return undefined;
    }
  });
