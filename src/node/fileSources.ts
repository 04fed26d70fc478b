/**
 * Node sources of a file transfer: a path on disk and a Node `Readable`, read a
 * piece at a time; and SHA-256 over `node:crypto`.
 *
 * @packageDocumentation
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import type { FileSourceReader } from '../file/source.js';
import type { Hasher, HasherFactory } from '../file/sha256.js';

/** How much a path source reads at once: 1 MiB. */
const READ_BYTES = 1024 * 1024;

/**
 * SHA-256 over `node:crypto` (about ten times the plain TypeScript one): the
 * default hasher of {@link sendLocalFile} and {@link receiveFilesToDir}.
 *
 * @example
 * ```ts
 * import { nodeSha256 } from 'rxmini/node';
 * nodeSha256().update(new TextEncoder().encode('abc')).digest(); // 'ba7816bf…'
 * ```
 */
export const nodeSha256: HasherFactory = () => {
  const hash = createHash('sha256');
  const hasher: Hasher = {
    update(bytes) {
      hash.update(bytes);
      return hasher;
    },
    digest: () => hash.digest('hex'),
  };
  return hasher;
};

/**
 * The file at `path` as a source: its size from `stat`, its bytes read 1 MiB
 * at a time as they are asked for (never the whole file). Rejects when the
 * path is not a regular file.
 *
 * @example
 * ```ts
 * import { sendFile } from 'rxmini';
 * import { pathSource } from 'rxmini/node';
 * sendFile(bus, 'uploads', await pathSource('/var/backups/db.tar'), { filename: 'db.tar' }).subscribe();
 * ```
 */
export const pathSource = async (path: string): Promise<FileSourceReader> => {
  const info = await stat(path);
  if (!info.isFile()) throw new Error(`${path} is not a regular file`);
  let stream: ReturnType<typeof createReadStream> | undefined;
  return {
    size: info.size,
    read: () => (stream = createReadStream(path, { highWaterMark: READ_BYTES })) as AsyncIterable<Uint8Array>,
    cancel: () => stream?.destroy(),
  };
};

/**
 * A Node `Readable` of bytes as a source (its size when the caller knows it).
 * Read as `sendFile` asks, so the stream's own backpressure holds; destroyed
 * when the transfer is cancelled.
 *
 * @example
 * ```ts
 * import { createGzip } from 'node:zlib';
 * import { createReadStream } from 'node:fs';
 * import { sendFile } from 'rxmini';
 * import { readableSource } from 'rxmini/node';
 * const gz = createReadStream('/var/log/app.log').pipe(createGzip());
 * sendFile(bus, 'uploads', readableSource(gz), { filename: 'app.log.gz' }).subscribe();
 * ```
 */
export const readableSource = (readable: Readable, size: number | null = null): FileSourceReader => ({
  size,
  read: () => readable as AsyncIterable<Uint8Array>,
  cancel: () => readable.destroy(),
});
