/**
 * Sending a file: chunks published as binary frames, never more than `window`
 * of them unacknowledged, resent when the receiver names them missing.
 *
 * @packageDocumentation
 */
import { isLeft } from 'fp-ts/lib/Either.js';
import { asyncScheduler, Observable, Subscription } from 'rxjs';
import { MAX_FILE_CHUNK_SIZE } from '../constant/limits.js';
import { BadRequestError, ConfigError, TimeoutError } from '../errors.js';
import type { Transport } from '../transport/types.js';
import { ChecksumMismatchError, ChunkTooLargeError, FileRejectedError, FileTooLargeError } from './errors.js';
import { sha256 } from './sha256.js';
import { chunksOf, releaseChunk, sourceSize, type FileSource } from './source.js';
import type { FileProgress, SendFileOptions } from './types.js';
import {
  decodeFileReply,
  encodeFileFrame,
  maxChunkSize,
  type FileChunk,
  type FileDataFrame,
  type FileManifest,
  type FileReplyFrame,
  type FileStart,
} from './wire.js';

/**
 * Default of `sendFile`'s `window`: chunks unacknowledged at once.
 *
 * @example
 * ```ts
 * import { DEFAULT_FILE_WINDOW } from 'rxmini';
 * DEFAULT_FILE_WINDOW; // 16
 * ```
 */
export const DEFAULT_FILE_WINDOW = 16;
/**
 * Default of the `timeout` of `sendFile` and `receiveFiles`, in ms.
 *
 * @example
 * ```ts
 * import { DEFAULT_FILE_TIMEOUT_MS } from 'rxmini';
 * DEFAULT_FILE_TIMEOUT_MS; // 30_000
 * ```
 */
export const DEFAULT_FILE_TIMEOUT_MS = 30_000;
/**
 * Longest file id, so that its reply topic `_file.<id>#ephemeral` is a valid topic name.
 *
 * @example
 * ```ts
 * import { MAX_FILE_ID_LENGTH } from 'rxmini';
 * MAX_FILE_ID_LENGTH; // 48
 * ```
 */
export const MAX_FILE_ID_LENGTH = 48;
/** The channel a sender reads its reply topic on. */
const REPLY_CHANNEL = 'sender#ephemeral';

const FILE_ID = /^[A-Za-z0-9_-]+$/;

/**
 * A fresh random file id: 24 hex characters from `crypto.getRandomValues`.
 *
 * @example
 * ```ts
 * import { newFileId } from 'rxmini';
 * newFileId(); // '9f86d081884c7d659a2feaa0'
 * ```
 */
export const newFileId = (): string =>
  Array.from(globalThis.crypto.getRandomValues(new Uint8Array(12)), (b) =>
    b.toString(16).padStart(2, '0'),
  ).join('');

/**
 * The topic a sender reads the receiver's acknowledgements and requests on.
 *
 * @example
 * ```ts
 * import { fileReplyTopic } from 'rxmini';
 * fileReplyTopic('f1'); // '_file.f1#ephemeral'
 * ```
 */
export const fileReplyTopic = (fileId: string): string => `_file.${fileId}#ephemeral`;

const positiveInt = (value: unknown): boolean =>
  typeof value === 'number' && Number.isSafeInteger(value) && value > 0;

const checkOptions = (options: SendFileOptions): ConfigError | undefined => {
  for (const key of ['chunkSize', 'window', 'timeout', 'maxStalls', 'size'] as const) {
    const value = options[key];
    if (value !== undefined && !positiveInt(value) && !(key === 'size' && value === 0)) {
      return new ConfigError(`sendFile: ${key} must be a positive integer, got ${String(value)}`);
    }
  }
  const id = options.fileId;
  if (id !== undefined && !(FILE_ID.test(id) && id.length <= MAX_FILE_ID_LENGTH)) {
    return new ConfigError(`sendFile: fileId must be 1–${MAX_FILE_ID_LENGTH} characters of [A-Za-z0-9_-]`);
  }
  return undefined;
};

/**
 * Sends `source` to the receivers of `topic` (see `receiveFiles`), chunk by
 * chunk: cold, it starts on subscribe and emits {@link FileProgress} after each
 * chunk sent and each acknowledgement, the last with `done: true` once the
 * receiver assembled the file and its SHA-256 matched; then it completes.
 * Unsubscribing stops it (a stream source is cancelled).
 *
 * How it goes: the sender offers the file (`start`: name, size when known,
 * chunk size) and waits for the receiver's answer, which lists the chunks it
 * lacks (all, or fewer when it resumes a transfer of this `fileId`). It then
 * reads the source one chunk at a time — never the whole file — and publishes
 * each chunk (index, offset, size, SHA-256, raw bytes) while fewer than
 * `window` are unacknowledged; the chunks in that window are all it holds.
 * After the last chunk it publishes the manifest (size, chunk count, the whole
 * file's SHA-256). Chunks the receiver names missing are sent again; when it
 * says nothing for `timeout` ms the sender asks again, and fails with a
 * `TimeoutError` after `maxStalls` times in a row.
 *
 * Errors: `ConfigError` (bad options), `ChunkTooLargeError` (a chunk the
 * server would refuse: before any chunk is sent), `FileRejectedError` (the
 * receiver refused or gave up the file: a bad name, a limit, a checksum),
 * `TimeoutError`, `FileTooLargeError` (the source yields more than its size),
 * or the transport's publish errors.
 *
 * @example
 * ```ts
 * import { memoryTransport, sendFile } from 'rxmini';
 * const bus = memoryTransport();
 * sendFile(bus, 'uploads', new TextEncoder().encode('hello'), { filename: 'hello.txt' }).subscribe({
 *   next: (p) => log.info('progress', { acked: p.bytesAcked, eta: p.etaMs }),
 *   error: (error: unknown) => log.error('send failed', { error: String(error) }),
 * });
 * ```
 * @see {@link receiveFiles}
 */
export const sendFile = (
  transport: Transport,
  topic: string,
  source: FileSource,
  options: SendFileOptions = {},
): Observable<FileProgress> =>
  // a source, not a policy: it holds the reader, the acknowledgement consumer and a stall timer across a
  // stateful protocol, and its teardown must cancel them all (specs: spec/file/transfer.spec.ts, resume.spec.ts)
  new Observable<FileProgress>((subscriber) => {
    const invalidOptions = checkOptions(options);
    if (invalidOptions) {
      subscriber.error(invalidOptions);
      return undefined;
    }
    const scheduler = options.scheduler ?? asyncScheduler;
    const hasher = options.hasher ?? sha256;
    const window = options.window ?? DEFAULT_FILE_WINDOW;
    const timeout = options.timeout ?? DEFAULT_FILE_TIMEOUT_MS;
    const maxStalls = options.maxStalls ?? 3;
    const filename = options.filename ?? 'file';
    const id = options.fileId ?? newFileId();
    const replyTopic = fileReplyTopic(id);
    const startedAt = scheduler.now();

    /** Sent and not yet acknowledged, by index: all the file bytes the sender holds. */
    const inflight = new Map<number, FileChunk>();
    /**
     * What holds each chunk's bytes: its place in `inflight`, and each publish of
     * it not yet settled. At none, the bytes go back to the source to be reused.
     */
    const holders = new Map<Uint8Array, number>();
    const hold = (bytes: Uint8Array): void => void holders.set(bytes, (holders.get(bytes) ?? 0) + 1);
    const letGo = (bytes: Uint8Array): void => {
      const count = (holders.get(bytes) ?? 1) - 1;
      if (count > 0) {
        holders.set(bytes, count);
        return;
      }
      holders.delete(bytes);
      releaseChunk(source, bytes);
    };
    /** Aborted when the transfer stops: cancels a stream source's pending read. */
    const aborted = new AbortController();
    /** The reply topic's consumer (a holder first: a synchronous failure may stop it while it starts). */
    const replies = new Subscription();
    let stopped = false;
    let wake: (() => void) | undefined;
    let answered: (() => void) | undefined;
    let stall: Subscription | undefined;
    let stalls = 0;
    let start: FileStart | undefined;
    let manifest: FileManifest | undefined;
    let receiverDone: string | undefined;
    /** What the receiver's first answer said it already has (a resumed transfer). */
    let receiverHas: (index: number) => boolean = () => false;
    let size: number | null = null;
    let totalChunks: number | null = null;
    let bytesSent = 0;
    let chunksSent = 0;
    let bytesAcked = 0;
    let chunksAcked = 0;
    let chunksResent = 0;

    const progress = (done: boolean): FileProgress => {
      const seconds = (scheduler.now() - startedAt) / 1000;
      const rate = seconds > 0 ? bytesAcked / seconds : 0;
      return {
        fileId: id,
        filename,
        size,
        totalChunks,
        bytesSent,
        chunksSent,
        bytesAcked,
        chunksAcked,
        chunksResent,
        rate,
        etaMs: done ? 0 : size !== null && rate > 0 ? ((size - bytesAcked) / rate) * 1000 : null,
        done,
      };
    };

    const stop = (): void => {
      stopped = true;
      aborted.abort();
      stall?.unsubscribe();
      replies.unsubscribe();
      for (const chunk of inflight.values()) letGo(chunk.bytes);
      inflight.clear();
      const w = wake;
      wake = undefined;
      w?.();
    };
    const fail = (error: unknown): void => {
      if (stopped) return;
      stop();
      subscriber.error(error);
    };
    const publish = (frame: FileDataFrame): Promise<void> => {
      if (frame.kind !== 'chunk')
        return transport.publish(topic, encodeFileFrame(frame, replyTopic)).catch(fail);
      const { bytes } = frame;
      hold(bytes);
      return transport
        .publish(topic, encodeFileFrame(frame, replyTopic))
        .catch(fail)
        .finally(() => letGo(bytes));
    };

    const askAgain = (): void => {
      if (start) void publish(start);
      if (manifest) void publish(manifest);
    };
    const armStall = (): void => {
      stall?.unsubscribe();
      stall = scheduler.schedule(() => {
        stalls += 1;
        if (stalls >= maxStalls) {
          fail(new TimeoutError(`send file ${id} (no word from a receiver)`, timeout * stalls));
          return;
        }
        askAgain();
        armStall();
      }, timeout);
    };

    const acked = (index: number): void => {
      const chunk = inflight.get(index);
      if (!chunk) return;
      inflight.delete(index);
      letGo(chunk.bytes);
      bytesAcked += chunk.size;
      chunksAcked += 1;
    };
    const finishIfDone = (): void => {
      if (stopped || receiverDone === undefined || manifest === undefined) return;
      if (receiverDone !== manifest.sha256) {
        fail(new ChecksumMismatchError(id, undefined, manifest.sha256, receiverDone));
        return;
      }
      for (const index of [...inflight.keys()]) acked(index);
      subscriber.next(progress(true));
      stop();
      subscriber.complete();
    };

    const onReply = (frame: FileReplyFrame): void => {
      if (frame.id !== id || stopped) return;
      stalls = 0;
      armStall();
      switch (frame.kind) {
        case 'ack':
          for (const index of frame.indices) acked(index);
          subscriber.next(progress(false));
          break;
        case 'status': {
          const missing = new Set(frame.missing);
          if (!frame.more) {
            for (const index of [...inflight.keys()])
              if (index < frame.upTo && !missing.has(index)) acked(index);
            if (answered) receiverHas = (index) => index < frame.upTo && !missing.has(index);
          }
          for (const index of frame.missing) {
            const chunk = inflight.get(index);
            if (chunk) {
              chunksResent += 1;
              void publish(chunk);
            }
          }
          break;
        }
        case 'done':
          receiverDone = frame.sha256;
          finishIfDone();
          break;
        case 'failed':
          fail(new FileRejectedError(id, frame.error, frame.reason));
          return;
        case 'unknown':
          askAgain();
          break;
      }
      const a = answered;
      answered = undefined;
      a?.();
      const w = wake;
      wake = undefined;
      w?.();
    };

    const replies$ = transport.subscribeTopic(replyTopic, { channel: REPLY_CHANNEL, maxInFlight: 64 });
    replies.add(
      replies$.subscribe({
        next: (delivery) => {
          delivery.finish();
          const frame = decodeFileReply(delivery.message);
          if (!isLeft(frame)) onReply(frame.right);
        },
        error: fail,
      }),
    );

    const run = async (): Promise<void> => {
      await replies$.ready;
      if (stopped) return;
      const limit = maxChunkSize(transport.maxMessageBytes);
      const chunkSize = options.chunkSize ?? Math.min(MAX_FILE_CHUNK_SIZE, limit);
      const checkChunkSize = (): void => {
        const max = maxChunkSize(transport.maxMessageBytes);
        if (chunkSize > max) throw new ChunkTooLargeError(chunkSize, max, transport.maxMessageBytes);
      };
      checkChunkSize();
      size = options.size ?? sourceSize(source);
      totalChunks = size === null ? null : Math.ceil(size / chunkSize);
      start = {
        kind: 'start',
        id,
        name: filename,
        size,
        chunkSize,
        total: totalChunks,
        ...(options.mime === undefined ? {} : { mime: options.mime }),
        ...(options.metadata === undefined ? {} : { metadata: options.metadata }),
      };
      const receiverAnswered = new Promise<void>((resolve) => (answered = resolve));
      armStall();
      await publish(start);
      // the first publish taught the transport the server's limit (nsqd's is read then)
      checkChunkSize();
      await receiverAnswered;
      const whole = hasher();
      let index = 0;
      let offset = 0;
      for await (const bytes of chunksOf(source, chunkSize, aborted.signal)) {
        if (stopped) return;
        if (size !== null && offset + bytes.length > size) {
          throw new FileTooLargeError(id, offset + bytes.length, size);
        }
        whole.update(bytes);
        if (receiverHas(index)) {
          bytesAcked += bytes.length;
          chunksAcked += 1;
          releaseChunk(source, bytes);
        } else {
          while (inflight.size >= window && !stopped) await new Promise<void>((resolve) => (wake = resolve));
          if (stopped) return;
          const chunk: FileChunk = {
            kind: 'chunk',
            id,
            index,
            total: totalChunks,
            offset,
            size: bytes.length,
            sha256: hasher().update(bytes).digest(),
            bytes,
          };
          inflight.set(index, chunk);
          hold(bytes);
          bytesSent += bytes.length;
          chunksSent += 1;
          void publish(chunk);
          subscriber.next(progress(false));
        }
        index += 1;
        offset += bytes.length;
      }
      if (stopped) return;
      if (size !== null && offset !== size) {
        throw new BadRequestError(
          `file ${id}: the source ended after ${offset} bytes, ${size} were announced`,
        );
      }
      size = offset;
      totalChunks = index;
      manifest = { kind: 'manifest', id, size: offset, total: index, sha256: whole.digest() };
      await publish(manifest);
      finishIfDone();
    };
    run().catch(fail);
    return stop;
  });
