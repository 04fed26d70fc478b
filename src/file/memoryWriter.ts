/**
 * A {@link FileWriter} that assembles in memory: for browsers and tests.
 *
 * @packageDocumentation
 */
import { sha256 as jsSha256, type HasherFactory } from './sha256.js';
import type { FileInfo, FileSink, FileWriter } from './types.js';

/** A {@link FileWriter} keeping files in memory, and what it holds. */
export interface MemoryWriter extends FileWriter {
  /** Committed files by name (a later file of one name replaces the earlier). */
  readonly files: ReadonlyMap<string, Uint8Array>;
  /** Transfers open now (assembling), by file id. */
  readonly assembling: ReadonlySet<string>;
}

/**
 * A writer that assembles each file in memory, chunk by chunk at its index,
 * and on commit puts the whole file under its name in `files`. It holds a
 * whole file: for browsers and tests, not for large files (use the disk
 * writer of `rxmini/node`).
 *
 * @example
 * ```ts
 * import { memoryTransport, memoryWriter, receiveFiles } from 'rxmini';
 * const store = memoryWriter();
 * receiveFiles(memoryTransport(), 'uploads', { writer: store }).subscribe((event) => {
 *   if (event.type === 'completed') log.info('bytes', { n: store.files.get(event.name)?.length });
 * });
 * ```
 */
export const memoryWriter = (hasher: HasherFactory = jsSha256): MemoryWriter => {
  const files = new Map<string, Uint8Array>();
  const assembling = new Set<string>();
  return {
    files,
    assembling: assembling,
    open: (info: FileInfo): Promise<FileSink> => {
      const chunks = new Map<number, Uint8Array>();
      assembling.add(info.fileId);
      const assemble = (size: number): Uint8Array => {
        const whole = new Uint8Array(size);
        for (const [index, bytes] of chunks) {
          const offset = index * info.chunkSize;
          whole.set(bytes.subarray(0, Math.max(0, Math.min(bytes.length, size - offset))), offset);
        }
        return whole;
      };
      const sink: FileSink = {
        received: [],
        write: (index, _offset, bytes) => {
          chunks.set(index, new Uint8Array(bytes));
          return Promise.resolve();
        },
        sha256: (size) => Promise.resolve(hasher().update(assemble(size)).digest()),
        commit: (size) => {
          files.set(info.name, assemble(size));
          chunks.clear();
          assembling.delete(info.fileId);
          return Promise.resolve(info.name);
        },
        abort: () => {
          chunks.clear();
          assembling.delete(info.fileId);
          return Promise.resolve();
        },
      };
      return Promise.resolve(sink);
    },
  };
};
