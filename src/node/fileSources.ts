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

/** Most pieces a path source keeps for reuse once they are given back. */
const MAX_FREE_PIECES = 64;

/**
 * Memory for the pieces of one path source: a piece given back (see
 * `FileSourceReader.release`) is read into again instead of allocating, since
 * a fresh buffer of a chunk's size costs more than filling it (its pages are
 * faulted in anew).
 */
interface PiecePool {
  take(size: number): Buffer;
  give(piece: Uint8Array): void;
}

const piecePool = (): PiecePool => {
  /** Buffers of this pool's own, by their memory: only those are taken back. */
  const ours = new WeakMap<ArrayBufferLike, Buffer>();
  const free: Buffer[] = [];
  return {
    take: (size) => {
      const reused = free.pop();
      if (reused && reused.length === size) return reused;
      // a buffer of its own, never a slice of Node's shared pool: it may be read into again
      const buffer = Buffer.allocUnsafeSlow(size);
      ours.set(buffer.buffer, buffer);
      return buffer;
    },
    give: (piece) => {
      const whole = ours.get(piece.buffer);
      if (!whole || piece.byteOffset !== whole.byteOffset || free.includes(whole)) return;
      if (free.length < MAX_FREE_PIECES) free.push(whole);
    },
  };
};

/** Up to `size` bytes of `file` from `position`, in a buffer from `pool`. */
const readAt = async (file: FileHandle, position: number, size: number, pool: PiecePool): Promise<Buffer> => {
  const buffer = pool.take(size);
  let filled = 0;
  try {
    while (filled < size) {
      const { bytesRead } = await file.read(buffer, filled, size - filled, position + filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
  } catch (error) {
    pool.give(buffer);
    throw error;
  }
  if (filled === size) return buffer;
  const piece = buffer.subarray(0, filled);
  // nothing read (the end): the buffer goes back at once
  if (filled === 0) pool.give(buffer);
  return piece;
};

/**
 * The file at `path` in pieces of `pieceSize` bytes (the last one shorter),
 * the next one read while the current one is used: one piece ahead, never
 * more. Each piece is memory of its own until it is given back to `pool`.
 */
async function* readPieces(
  path: string,
  pieceSize: number,
  cancelled: () => boolean,
  pool: PiecePool,
): AsyncGenerator<Uint8Array> {
  const file = await open(path, 'r');
  let ahead: Promise<Buffer> | undefined;
  try {
    let position = 0;
    ahead = readAt(file, position, pieceSize, pool);
    while (!cancelled()) {
      const piece = await ahead;
      ahead = undefined;
      if (piece.length === 0) return;
      position += piece.length;
      ahead = readAt(file, position, pieceSize, pool);
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
 * (1 MiB when not told), one piece read ahead. A piece given back with
 * `release` is read into again: a transfer holds no more memory than its
 * window of chunks and the piece read ahead. Rejects when the path is not a
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
  const pool = piecePool();
  return {
    size: info.size,
    read: (pieceSize = READ_BYTES) =>
      readPieces(
        path,
        Number.isSafeInteger(pieceSize) && pieceSize > 0 ? pieceSize : READ_BYTES,
        () => cancelled,
        pool,
      ),
    cancel: () => {
      cancelled = true;
    },
    release: (piece) => pool.give(piece),
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
