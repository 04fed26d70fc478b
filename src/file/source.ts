/**
 * What a file is sent from, read a chunk at a time: never the whole file at once.
 *
 * @packageDocumentation
 */

/**
 * A source of bytes of its own kind (a file on disk, a Node Readable: see
 * `rxmini/node`): its size when known, and its bytes in pieces of any length.
 *
 * @example
 * ```ts
 * import type { FileSourceReader } from 'rxmini';
 * const hello: FileSourceReader = {
 *   size: 5,
 *   read: async function* () {
 *     yield new TextEncoder().encode('hello');
 *   },
 * };
 * ```
 */
export interface FileSourceReader {
  /** Size in bytes, or null when unknown until the end. */
  readonly size: number | null;
  /**
   * The bytes, in order, in pieces of any size; called once. `pieceSize` is the
   * transfer's chunk size: a reader that yields pieces of exactly that size
   * (the last one shorter) spares the sender a copy of every byte.
   */
  read(pieceSize?: number): AsyncIterable<Uint8Array>;
  /** Stops reading and releases the source (the transfer was cancelled); optional. */
  cancel?(): void;
  /**
   * Gives back a piece `read` yielded, once the transfer holds it no longer
   * (the receiver acknowledged its chunk, or the transfer ended), so that the
   * reader may read a later piece into the same memory instead of allocating;
   * optional. `sendFile` calls it at most once per piece, only when it neither
   * reads nor sends the piece again, and with the piece it was given (or a
   * view of it that starts at the same byte).
   */
  release?(piece: Uint8Array): void;
}

/**
 * What `sendFile` reads: bytes in memory, a `Blob` (a browser `File`), a web
 * `ReadableStream`, or a {@link FileSourceReader}.
 */
export type FileSource = Uint8Array | Blob | ReadableStream<Uint8Array> | FileSourceReader;

const isBlob = (source: unknown): source is Blob => typeof Blob !== 'undefined' && source instanceof Blob;

const isReadableStream = (source: unknown): source is ReadableStream<Uint8Array> =>
  typeof (source as { getReader?: unknown }).getReader === 'function';

/** The size of `source` when it says it, else null. */
export const sourceSize = (source: FileSource): number | null => {
  if (source instanceof Uint8Array) return source.length;
  if (isBlob(source)) return source.size;
  if (isReadableStream(source)) return null;
  return source.size;
};

async function* streamPieces(
  stream: ReadableStream<Uint8Array>,
  signal?: AbortSignal,
): AsyncGenerator<Uint8Array> {
  const reader = stream.getReader();
  // a read that never settles is ended by cancelling the reader: it then reads done
  const cancel = (): void => void reader.cancel().catch(() => undefined);
  signal?.addEventListener('abort', cancel, { once: true });
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    // an early return (unsubscribe) cancels the stream; a finished one ignores it
    signal?.removeEventListener('abort', cancel);
    await reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
}

/**
 * Regroups pieces of any length into chunks of exactly `chunkSize` bytes, the
 * last one shorter. A piece of exactly `chunkSize` bytes, and a last piece
 * shorter than that, are passed on as they are (`passOn` is told of them);
 * the others are cut or copied.
 */
async function* rechunk(
  pieces: AsyncIterable<Uint8Array>,
  chunkSize: number,
  passOn: (piece: Uint8Array) => void = () => undefined,
): AsyncGenerator<Uint8Array> {
  let buffer: Uint8Array | undefined;
  let filled = 0;
  /** A piece shorter than a chunk with nothing pending: held as it is, in case it is the last. */
  let short: Uint8Array | undefined;
  for await (const piece of pieces) {
    if (piece.length === 0) continue;
    if (short) {
      buffer ??= new Uint8Array(chunkSize);
      buffer.set(short, 0);
      filled = short.length;
      short = undefined;
    }
    if (filled === 0 && piece.length === chunkSize) {
      passOn(piece);
      yield piece;
      continue;
    }
    if (filled === 0 && piece.length < chunkSize) {
      short = piece;
      continue;
    }
    let at = 0;
    // a whole chunk inside the piece, nothing pending: hand it on without a copy
    while (filled === 0 && piece.length - at >= chunkSize) {
      yield piece.subarray(at, at + chunkSize);
      at += chunkSize;
    }
    while (at < piece.length) {
      buffer ??= new Uint8Array(chunkSize);
      const take = Math.min(chunkSize - filled, piece.length - at);
      buffer.set(piece.subarray(at, at + take), filled);
      filled += take;
      at += take;
      if (filled === chunkSize) {
        yield buffer;
        buffer = undefined;
        filled = 0;
      }
    }
  }
  if (short) {
    passOn(short);
    yield short;
  } else if (buffer && filled > 0) yield buffer.subarray(0, filled);
}

async function* blobChunks(blob: Blob, chunkSize: number): AsyncGenerator<Uint8Array> {
  for (let offset = 0; offset < blob.size; offset += chunkSize) {
    yield new Uint8Array(await blob.slice(offset, offset + chunkSize).arrayBuffer());
  }
}

function* bytesChunks(bytes: Uint8Array, chunkSize: number): Generator<Uint8Array> {
  for (let offset = 0; offset < bytes.length; offset += chunkSize) {
    yield bytes.subarray(offset, offset + chunkSize);
  }
}

/**
 * The chunks of `source`, each `chunkSize` bytes but the last (shorter, never
 * empty; none for an empty source), read as they are asked for. A chunk may be
 * a view of the source's own memory: do not write to it. When `signal` aborts,
 * a stream source is cancelled (a pending read ends) and a reader's `cancel` called.
 */
export const chunksOf = (
  source: FileSource,
  chunkSize: number,
  signal?: AbortSignal,
): AsyncIterable<Uint8Array> | Iterable<Uint8Array> => {
  if (source instanceof Uint8Array) return bytesChunks(source, chunkSize);
  if (isBlob(source)) return blobChunks(source, chunkSize);
  if (isReadableStream(source)) return rechunk(streamPieces(source, signal), chunkSize);
  if (source.cancel) {
    const cancel = source.cancel.bind(source);
    signal?.addEventListener('abort', () => cancel(), { once: true });
  }
  return rechunk(
    source.read(chunkSize),
    chunkSize,
    source.release ? (piece) => passedOn.add(piece) : undefined,
  );
};

/** Pieces of a reader with `release` that {@link chunksOf} yielded as chunks, unchanged. */
const passedOn = new WeakSet<Uint8Array>();

/**
 * Gives `chunk`, yielded by {@link chunksOf} of `source`, back to the source
 * when it is a piece of the source's own that the source can reuse (see
 * {@link FileSourceReader.release}); otherwise does nothing. Call it once per
 * chunk, when the chunk is neither read nor sent again.
 */
export const releaseChunk = (source: FileSource, chunk: Uint8Array): void => {
  if (!passedOn.delete(chunk)) return;
  (source as FileSourceReader).release?.(chunk);
};
