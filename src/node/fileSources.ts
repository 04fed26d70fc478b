/**
 * Node sources of a file transfer: a path on disk and a Node `Readable`, read a
 * piece at a time; and SHA-256 over `node:crypto`.
 *
 * @packageDocumentation
 */
import { createHash } from 'node:crypto';
import { open, stat, type FileHandle } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import type { FileSourceReader } from '../file/source.js';
import type { Hasher, HasherFactory } from '../file/sha256.js';

/** How much a path source reads at once when the transfer does not say: 1 MiB. */
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

/** Up to `size` bytes of `file` from `position`, in a buffer of their own (not zero-filled first). */
const readAt = async (file: FileHandle, position: number, size: number): Promise<Buffer> => {
  const buffer = Buffer.allocUnsafe(size);
  let filled = 0;
  while (filled < size) {
    const { bytesRead } = await file.read(buffer, filled, size - filled, position + filled);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return filled === size ? buffer : buffer.subarray(0, filled);
};

/**
 * The file at `path` in pieces of `pieceSize` bytes (the last one shorter),
 * each in a buffer of its own, the next one read while the current one is
 * used: one piece ahead, never more.
 */
async function* readPieces(
  path: string,
  pieceSize: number,
  cancelled: () => boolean,
): AsyncGenerator<Uint8Array> {
  const file = await open(path, 'r');
  let ahead: Promise<Buffer> | undefined;
  try {
    let position = 0;
    ahead = readAt(file, position, pieceSize);
    while (!cancelled()) {
      const piece = await ahead;
      ahead = undefined;
      if (piece.length === 0) return;
      position += piece.length;
      ahead = readAt(file, position, pieceSize);
      // its failure is seen when it is awaited; not unhandled while this piece is used
      ahead.catch(() => undefined);
      yield piece;
    }
  } finally {
    await ahead?.catch(() => undefined);
    await file.close();
  }
}

/**
 * The file at `path` as a source: its size from `stat`, its bytes read as they
 * are asked for (never the whole file): in pieces of the transfer's chunk size
 * (1 MiB when not told), one piece read ahead. Rejects when the path is not a
 * regular file.
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
  let cancelled = false;
  return {
    size: info.size,
    read: (pieceSize = READ_BYTES) =>
      readPieces(
        path,
        Number.isSafeInteger(pieceSize) && pieceSize > 0 ? pieceSize : READ_BYTES,
        () => cancelled,
      ),
    cancel: () => {
      cancelled = true;
    },
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
