/**
 * File transfer from and to the disk: `sendFile` from a path or a Node
 * Readable, `receiveFiles` into a directory, both hashing with `node:crypto`.
 *
 * @packageDocumentation
 */
import { Readable } from 'node:stream';
import { basename } from 'node:path';
import { defer, from, mergeMap, type Observable } from 'rxjs';
import { receiveFiles } from '../file/receiveFiles.js';
import { sendFile } from '../file/sendFile.js';
import type { FileSource } from '../file/source.js';
import type { FileEvent, FileProgress, ReceiveFilesOptions, SendFileOptions } from '../file/types.js';
import type { Transport } from '../transport/types.js';
import { diskWriter, type DiskWriterOptions } from './diskWriter.js';
import { nodeSha256, pathSource, readableSource } from './fileSources.js';

/**
 * `sendFile` with Node sources: `source` may also be a path (read a chunk at a
 * time; `filename` defaults to its base name) or a Node `Readable`. Hashes
 * with `node:crypto` unless `hasher` says otherwise. Same progress, errors and
 * cancellation as `sendFile`; a path that cannot be read errors the stream.
 *
 * @example
 * ```ts
 * import { sendLocalFile } from 'rxmini/node';
 * sendLocalFile(bus, 'uploads', '/var/backups/db.tar', { window: 16 }).subscribe({
 *   next: (p) => log.info('sent', { bytes: p.bytesAcked, rate: p.rate }),
 *   error: (error: unknown) => log.error('upload failed', { error: String(error) }),
 * });
 * ```
 */
export const sendLocalFile = (
  transport: Transport,
  topic: string,
  source: string | Readable | FileSource,
  options: SendFileOptions = {},
): Observable<FileProgress> =>
  defer(() => {
    const withHash = { hasher: nodeSha256, ...options };
    if (typeof source === 'string') {
      return from(pathSource(source)).pipe(
        mergeMap((reader) => sendFile(transport, topic, reader, { filename: basename(source), ...withHash })),
      );
    }
    const resolved = source instanceof Readable ? readableSource(source, options.size ?? null) : source;
    return sendFile(transport, topic, resolved, withHash);
  });

/** Options of {@link receiveFilesToDir}: those of `receiveFiles` and the disk writer's, without `writer`. */
export type ReceiveFilesToDirOptions = Omit<ReceiveFilesOptions, 'writer'> & DiskWriterOptions;

/**
 * `receiveFiles` into a directory, with the {@link diskWriter} (temp file in
 * `dir`, atomic link or rename into place, real-path confinement, resume after
 * a restart) and `node:crypto` hashing.
 *
 * @example
 * ```ts
 * import { receiveFilesToDir } from 'rxmini/node';
 * receiveFilesToDir(bus, 'uploads', { dir: '/srv/uploads', maxFileSize: 500_000_000 }).subscribe((event) => {
 *   if (event.type === 'failed') log.warn('upload refused', { error: event.error.message });
 * });
 * ```
 */
export const receiveFilesToDir = (
  transport: Transport,
  topic: string,
  options: ReceiveFilesToDirOptions,
): Observable<FileEvent> => {
  const { dir, overwrite, fsync, hasher = nodeSha256, ...rest } = options;
  const writer = diskWriter({
    dir,
    hasher,
    ...(overwrite === undefined ? {} : { overwrite }),
    ...(fsync === undefined ? {} : { fsync }),
  });
  return receiveFiles(transport, topic, { ...rest, hasher, writer });
};
