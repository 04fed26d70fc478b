/**
 * The file transfer's own failures, one class each. A refused file name is the
 * shared {@link InvalidPathError} (with a `reason`); a stalled transfer is a
 * {@link TimeoutError}.
 *
 * @packageDocumentation
 */
import { DecodeError, ErrorCode, RxMiniError, type RxMiniErrorOptions } from '../errors.js';

/**
 * A chunk size the server would refuse: a chunk of `chunkSize` bytes plus its
 * envelope is larger than the server's `maxMessageBytes`. Raised before any
 * chunk is sent.
 *
 * @example
 * ```ts
 * import { ChunkTooLargeError } from 'rxmini';
 * const err = new ChunkTooLargeError(2_097_152, 1_048_064, 1_048_576);
 * err.maxChunkSize; // 1_048_064
 * ```
 */
export class ChunkTooLargeError extends RxMiniError {
  readonly code = ErrorCode.PAYLOAD_TOO_LARGE;
  constructor(
    /** The chunk size asked for. */
    readonly chunkSize: number,
    /** The largest chunk the server takes: its message limit minus the envelope. */
    readonly maxChunkSize: number,
    /** The server's message limit. */
    readonly maxMessageBytes: number,
    options?: RxMiniErrorOptions,
  ) {
    super(
      `chunk size ${chunkSize} exceeds ${maxChunkSize}, the most a message of ${maxMessageBytes} bytes carries`,
      options,
    );
  }
}

/**
 * A file larger than the receiver's `maxFileSize` (or a sender's size that
 * grew past what it announced).
 *
 * @example
 * ```ts
 * import { FileTooLargeError } from 'rxmini';
 * new FileTooLargeError('f1', 5_000_000, 1_000_000).limit; // 1_000_000
 * ```
 */
export class FileTooLargeError extends RxMiniError {
  readonly code = ErrorCode.PAYLOAD_TOO_LARGE;
  constructor(
    readonly fileId: string,
    /** The size announced or reached. */
    readonly size: number,
    /** The bound it is over. */
    readonly limit: number,
    options?: RxMiniErrorOptions,
  ) {
    super(`file ${fileId}: ${size} bytes exceeds the limit of ${limit} bytes`, options);
  }
}

/**
 * A transfer the receiver will not hold: more chunks than `maxChunks`, or more
 * transfers at once than `maxConcurrent` (`what` says which).
 *
 * @example
 * ```ts
 * import { TransferLimitError } from 'rxmini';
 * new TransferLimitError('f1', 'concurrent', 5, 4).message; // 'file f1: 5 concurrent transfers exceeds the limit of 4'
 * ```
 */
export class TransferLimitError extends RxMiniError {
  readonly code = ErrorCode.CAPACITY;
  constructor(
    readonly fileId: string,
    /** Which limit: the chunk count of one file, or the transfers at once. */
    readonly what: 'chunks' | 'concurrent',
    readonly count: number,
    readonly limit: number,
    options?: RxMiniErrorOptions,
  ) {
    super(
      `file ${fileId}: ${count} ${what === 'chunks' ? 'chunks' : 'concurrent transfers'} exceeds the limit of ${limit}`,
      options,
    );
  }
}

/**
 * Bytes whose SHA-256 is not the one announced: a chunk (`index` set) or the
 * whole assembled file (`index` undefined).
 *
 * @example
 * ```ts
 * import { ChecksumMismatchError } from 'rxmini';
 * const err = new ChecksumMismatchError('f1', 3, 'aa…', 'bb…');
 * err.index; // 3
 * ```
 */
export class ChecksumMismatchError extends RxMiniError {
  readonly code = ErrorCode.INVALID_VALUE;
  constructor(
    readonly fileId: string,
    /** The chunk, or undefined for the whole file. */
    readonly index: number | undefined,
    readonly expected: string,
    readonly actual: string,
    options?: RxMiniErrorOptions,
  ) {
    super(
      `file ${fileId}: ${index === undefined ? 'file' : `chunk ${index}`} sha256 is ${actual}, expected ${expected}`,
      options,
    );
  }
}

/**
 * A frame of the file protocol that is not what it claims: a missing or
 * malformed field, a chunk whose bytes do not match its `size`, an index past
 * `total`. A {@link DecodeError}, so permanent: never retried.
 *
 * @example
 * ```ts
 * import { FileFrameError } from 'rxmini';
 * new FileFrameError('chunk index 9 is not below total 4').reason;
 * ```
 */
export class FileFrameError extends DecodeError {
  constructor(reason: string, options?: RxMiniErrorOptions) {
    // a DecodeError: permanent, so a delivery failed with it is dead-lettered, not retried
    super(`invalid file frame: ${reason}`, options);
  }
}

/**
 * The receiver gave the file up: it refused it (a bad name, a limit) or its
 * assembly failed (a checksum, the disk). `errorName` is the receiver's error class.
 *
 * @example
 * ```ts
 * import { FileRejectedError } from 'rxmini';
 * new FileRejectedError('f1', 'InvalidPathError', 'invalid path "../x": ..').errorName; // 'InvalidPathError'
 * ```
 */
export class FileRejectedError extends RxMiniError {
  readonly code = ErrorCode.REMOTE;
  constructor(
    readonly fileId: string,
    /** Name of the receiver's error. */
    readonly errorName: string,
    /** The receiver's message. */
    readonly reason: string,
    options?: RxMiniErrorOptions,
  ) {
    super(`file ${fileId} rejected by the receiver: ${reason}`, options);
  }
}
