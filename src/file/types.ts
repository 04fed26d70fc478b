/**
 * The file transfer's public shapes: progress, events, the writer a receiver
 * assembles into, and the options of `sendFile` and `receiveFiles`.
 *
 * @packageDocumentation
 */
import type { SchedulerLike } from 'rxjs';
import type { JsonObject } from '../codec/json.js';
import type { ILogger } from '../logger/types.js';
import type { HasherFactory } from './sha256.js';

/**
 * Where a sending transfer stands: what `sendFile` emits after each chunk sent
 * and each acknowledgement, the last one with `done: true`.
 */
export interface FileProgress {
  readonly fileId: string;
  readonly filename: string;
  /** The file's size, when the source said it (null for a stream, until it ends). */
  readonly size: number | null;
  /** Number of chunks, when known. */
  readonly totalChunks: number | null;
  /** Bytes published so far (resent chunks count once). */
  readonly bytesSent: number;
  /** Chunks published so far. */
  readonly chunksSent: number;
  /** Bytes the receiver acknowledged as written. */
  readonly bytesAcked: number;
  /** Chunks the receiver acknowledged as written. */
  readonly chunksAcked: number;
  /** Chunks published again after a receiver asked for them. */
  readonly chunksResent: number;
  /** Acknowledged bytes per second since the start. */
  readonly rate: number;
  /** Estimated time to the end, in ms, when the size and a rate are known. */
  readonly etaMs: number | null;
  /** True once the receiver said it has the whole file, verified. */
  readonly done: boolean;
}

/** What a receiver knows of a file when it starts it. */
export interface FileInfo {
  readonly fileId: string;
  /** The sender's name, checked by {@link checkFileName}. */
  readonly name: string;
  readonly size: number | null;
  readonly chunkSize: number;
  readonly total: number | null;
  readonly mime?: string;
  readonly metadata?: JsonObject;
}

/**
 * What `receiveFiles` emits. `started` once per transfer (again after a
 * restart; `resumed` counts the chunks the writer already had), `chunk` and
 * `progress` for each new chunk written, `timeout` when chunks are still
 * missing after `timeout` ms without a new one (the sender is asked for
 * exactly those), and one `completed` or `failed` at the end. `invalid`: a
 * frame that is not one (dead-lettered).
 */
export type FileEvent =
  | ({ readonly type: 'started'; readonly resumed: number } & FileInfo)
  | {
      readonly type: 'chunk';
      readonly fileId: string;
      readonly index: number;
      readonly offset: number;
      readonly size: number;
    }
  | {
      readonly type: 'progress';
      readonly fileId: string;
      readonly bytesReceived: number;
      readonly chunksReceived: number;
      readonly size: number | null;
      readonly total: number | null;
    }
  | {
      readonly type: 'completed';
      readonly fileId: string;
      readonly name: string;
      readonly size: number;
      readonly sha256: string;
      /** Where the writer put it (a path for the disk writer). */
      readonly location: string;
    }
  | {
      readonly type: 'failed';
      readonly fileId: string;
      readonly name: string | undefined;
      readonly error: Error;
    }
  | {
      readonly type: 'timeout';
      readonly fileId: string;
      /** The missing chunk indices, ascending (the first {@link MAX_LISTED_CHUNKS}). */
      readonly missing: readonly number[];
      /** True when more are missing than listed, or the chunk count is not known yet. */
      readonly more: boolean;
    }
  | { readonly type: 'invalid'; readonly error: Error };

/**
 * Where one file is assembled: chunks written at their offset as they come,
 * then verified and committed (or aborted).
 */
export interface FileSink {
  /** Chunks already stored when the file was opened (resuming after a restart); empty for a new file. */
  readonly received: readonly number[];
  /** Writes `bytes` at `offset`; resolves once stored. */
  write(index: number, offset: number, bytes: Uint8Array): Promise<void>;
  /** SHA-256 (hex) of the first `size` bytes as assembled. */
  sha256(size: number): Promise<string>;
  /** Makes the file final under its name (atomically for the disk writer); resolves to where it is. */
  commit(size: number): Promise<string>;
  /** Gives the file up and removes what was written. */
  abort(): Promise<void>;
  /**
   * Lets go of what the sink holds open (file handles) and keeps what was
   * written, for a later resume: what `receiveFiles` does with the transfers
   * still running when it is unsubscribed. Optional: a sink that holds
   * nothing open needs none.
   */
  release?(): Promise<void>;
}

/** Opens a {@link FileSink} per transfer: the disk writer of `rxmini/node`, or {@link memoryWriter}. */
export interface FileWriter {
  open(info: FileInfo): Promise<FileSink>;
}

/** Options of `sendFile`. */
export interface SendFileOptions {
  /**
   * Bytes per chunk. Default: the server's largest message less the envelope
   * ({@link maxChunkSize}), at most {@link MAX_FILE_CHUNK_SIZE}. More than the
   * server takes fails with `ChunkTooLargeError` before any chunk is sent.
   */
  readonly chunkSize?: number;
  /** The name the receiver is offered (it checks it); default `'file'`. */
  readonly filename?: string;
  readonly mime?: string;
  /** JSON the receiver gets in its `started` event. */
  readonly metadata?: JsonObject;
  /**
   * Most chunks sent and not yet acknowledged; default 16. Bounds the sender's
   * memory to `window × chunkSize`, and the chunks of this file waiting at the
   * broker. What the receiver holds is its own `maxInFlight`. Over a local
   * nsqd a window of 16 moved a 200 MiB file about 1.5× faster than 4
   * (docs/benchmarks.md).
   */
  readonly window?: number;
  /** The size of a stream source, when known (checked against what it yields). */
  readonly size?: number;
  /**
   * How long without word from the receiver before the sender asks again
   * (resends `start`, and the manifest once sent), in ms; default 30 000.
   */
  readonly timeout?: number;
  /** How many such timeouts in a row fail the transfer with a `TimeoutError`; default 3. */
  readonly maxStalls?: number;
  /** A file id to use (resume a transfer under its id); default a random one. */
  readonly fileId?: string;
  /** SHA-256 implementation; default {@link sha256} (`rxmini/node`'s sendFile uses node:crypto). */
  readonly hasher?: HasherFactory;
  /** Clock and timers; default `asyncScheduler`. */
  readonly scheduler?: SchedulerLike;
}

/** Options of `receiveFiles`. */
export interface ReceiveFilesOptions {
  /** Where files are assembled. */
  readonly writer: FileWriter;
  /** Channel to consume the files topic on; default the transport's service. */
  readonly channel?: string;
  /** Largest file accepted, in bytes; default 1 GiB. */
  readonly maxFileSize?: number;
  /** Most chunks in one file; default 1 048 576. */
  readonly maxChunks?: number;
  /** Most transfers assembled at once; default 8. */
  readonly maxConcurrent?: number;
  /**
   * Chunks held at once (delivered, not yet written): bounds the receiver's
   * memory to about `maxInFlight × chunkSize` plus what the garbage collector
   * has not freed yet; default 4. More lets chunks be written side by side.
   */
  readonly maxInFlight?: number;
  /** How long a transfer may go without a new chunk before its missing chunks are asked for, in ms; default 30 000. */
  readonly timeout?: number;
  /** Timeouts in a row after which the transfer fails (and is aborted); default 5. */
  readonly maxTimeouts?: number;
  /** SHA-256 implementation for the chunks; default {@link sha256}. */
  readonly hasher?: HasherFactory;
  readonly scheduler?: SchedulerLike;
  readonly logger?: ILogger;
  /** Called once the consumer of the files topic is registered at the broker (as `subscribeTopic`'s `onReady`). */
  readonly onReady?: () => void;
}
