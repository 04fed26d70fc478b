/**
 * Receiving files: chunks assembled by offset in any order, duplicates
 * ignored, every chunk and the whole file verified, missing chunks asked for.
 *
 * @packageDocumentation
 */
import { isLeft } from 'fp-ts/lib/Either.js';
import { asyncScheduler, Observable, type Subscription } from 'rxjs';
import { ConfigError, TimeoutError } from '../errors.js';
import type { Delivery } from '../delivery/types.js';
import { noopLogger } from '../logger/noopLogger.js';
import type { Transport } from '../transport/types.js';
import { ChecksumMismatchError, FileFrameError, FileTooLargeError, TransferLimitError } from './errors.js';
import { checkFileName } from './names.js';
import { DEFAULT_FILE_TIMEOUT_MS } from './sendFile.js';
import { sha256 } from './sha256.js';
import type { FileEvent, FileInfo, FileSink, ReceiveFilesOptions } from './types.js';
import {
  MAX_LISTED_CHUNKS,
  decodeFileFrame,
  encodeFileReply,
  type FileChunk,
  type FileManifest,
  type FileReplyFrame,
  type FileStart,
} from './wire.js';

/**
 * Default of `receiveFiles`' `maxFileSize`: 1 GiB.
 *
 * @example
 * ```ts
 * import { DEFAULT_MAX_FILE_SIZE } from 'rxmini';
 * DEFAULT_MAX_FILE_SIZE; // 1_073_741_824
 * ```
 */
export const DEFAULT_MAX_FILE_SIZE = 1024 * 1024 * 1024;
/**
 * Default of `receiveFiles`' `maxChunks`.
 *
 * @example
 * ```ts
 * import { DEFAULT_MAX_CHUNKS } from 'rxmini';
 * DEFAULT_MAX_CHUNKS; // 1_048_576
 * ```
 */
export const DEFAULT_MAX_CHUNKS = 1_048_576;
/**
 * Default of `receiveFiles`' `maxConcurrent`.
 *
 * @example
 * ```ts
 * import { DEFAULT_MAX_CONCURRENT_FILES } from 'rxmini';
 * DEFAULT_MAX_CONCURRENT_FILES; // 8
 * ```
 */
export const DEFAULT_MAX_CONCURRENT_FILES = 8;
/**
 * Default of `receiveFiles`' `maxInFlight`.
 *
 * @example
 * ```ts
 * import { DEFAULT_FILE_MAX_IN_FLIGHT } from 'rxmini';
 * DEFAULT_FILE_MAX_IN_FLIGHT; // 4
 * ```
 */
export const DEFAULT_FILE_MAX_IN_FLIGHT = 4;
/** Finished transfers remembered (to answer a late duplicate or a lost `done`). */
const MAX_ENDED = 1_024;

interface Transfer {
  readonly info: FileInfo;
  replyTo: string;
  sink?: FileSink;
  opening: Promise<void>;
  readonly received: Set<number>;
  readonly writing: Set<number>;
  bytes: number;
  highest: number;
  manifest?: FileManifest;
  timer?: Subscription;
  timeouts: number;
  finishing: boolean;
  ended: boolean;
}

const positiveInt = (value: unknown): boolean =>
  typeof value === 'number' && Number.isSafeInteger(value) && value > 0;

const checkOptions = (options: ReceiveFilesOptions): ConfigError | undefined => {
  if (typeof options?.writer?.open !== 'function') return new ConfigError('receiveFiles: writer is required');
  for (const key of [
    'maxFileSize',
    'maxChunks',
    'maxConcurrent',
    'maxInFlight',
    'timeout',
    'maxTimeouts',
  ] as const) {
    const value = options[key];
    if (value !== undefined && !positiveInt(value)) {
      return new ConfigError(`receiveFiles: ${key} must be a positive integer, got ${String(value)}`);
    }
  }
  return undefined;
};

const errorOf = (error: unknown): Error => (error instanceof Error ? error : new Error(String(error)));

/**
 * Receives the files sent to `topic` with `sendFile`, into `options.writer`,
 * as an Observable of {@link FileEvent}s (cold: subscribing starts consuming
 * `topic` on `channel`; unsubscribing stops, leaving unfinished transfers to
 * the writer, which may resume them).
 *
 * - Names are checked ({@link checkFileName}): a bad one fails the transfer
 *   with `InvalidPathError` and nothing is written.
 * - Limits: `maxFileSize`, `maxChunks` and `maxConcurrent` fail a transfer
 *   that would pass them (`FileTooLargeError`, `TransferLimitError`), before
 *   anything is written; the sender gets the error (`FileRejectedError`).
 * - Chunks are written at their offset as they come, in any order; a
 *   duplicate is acknowledged again and otherwise ignored; a chunk whose
 *   SHA-256 is wrong is dropped (and asked for again). At most `maxInFlight`
 *   chunks are held at once, whatever the file size.
 * - Once every chunk and the manifest are in, the assembled file's SHA-256 is
 *   checked against the manifest and the writer commits it (`completed`), or
 *   aborts it (`failed` with `ChecksumMismatchError`).
 * - A transfer without a new chunk for `timeout` ms emits `timeout` with the
 *   missing indices and asks the sender for exactly those; after
 *   `maxTimeouts` in a row it fails with a `TimeoutError`.
 * - A frame that is not one is dead-lettered (`FileFrameError`, an `invalid` event).
 *
 * @example
 * ```ts
 * import { memoryTransport, memoryWriter, receiveFiles } from 'rxmini';
 * const bus = memoryTransport();
 * const store = memoryWriter();
 * receiveFiles(bus, 'uploads', { writer: store, maxFileSize: 10_000_000 }).subscribe((event) => {
 *   if (event.type === 'completed') log.info('received', { name: event.name, bytes: event.size });
 * });
 * ```
 * @see {@link sendFile}
 */
export const receiveFiles = (
  transport: Transport,
  topic: string,
  options: ReceiveFilesOptions,
): Observable<FileEvent> =>
  // a source, not a policy: it holds a consumer, open sinks and timers, and publishes replies, across a stateful
  // protocol, and its teardown must close them all (specs: spec/file/resume.spec.ts, transfer.spec.ts)
  new Observable<FileEvent>((subscriber) => {
    const invalidOptions = checkOptions(options);
    if (invalidOptions) {
      subscriber.error(invalidOptions);
      return undefined;
    }
    const { writer } = options;
    const scheduler = options.scheduler ?? asyncScheduler;
    const hasher = options.hasher ?? sha256;
    const logger = options.logger ?? noopLogger;
    const maxFileSize = options.maxFileSize ?? DEFAULT_MAX_FILE_SIZE;
    const maxChunks = options.maxChunks ?? DEFAULT_MAX_CHUNKS;
    const maxConcurrent = options.maxConcurrent ?? DEFAULT_MAX_CONCURRENT_FILES;
    const timeout = options.timeout ?? DEFAULT_FILE_TIMEOUT_MS;
    const maxTimeouts = options.maxTimeouts ?? 5;

    const transfers = new Map<string, Transfer>();
    /** How recent transfers ended, to answer their late frames (insertion order: oldest first). */
    const ended = new Map<string, FileReplyFrame>();
    let stopped = false;

    const emit = (event: FileEvent): void => {
      if (!stopped) subscriber.next(event);
    };
    const reply = (replyTo: string | undefined, frame: FileReplyFrame): void => {
      if (replyTo === undefined || replyTo === '' || stopped) return;
      transport.publish(replyTo, encodeFileReply(frame)).catch((error: unknown) =>
        logger.warn('receiveFiles: cannot answer the sender', {
          fileId: frame.id,
          replyTo,
          error: errorOf(error).message,
        }),
      );
    };
    const remember = (frame: FileReplyFrame): void => {
      ended.set(frame.id, frame);
      if (ended.size > MAX_ENDED) ended.delete(ended.keys().next().value as string);
    };

    /** The chunks count as far as known: the manifest's, the start's, else one past the highest seen. */
    const upTo = (t: Transfer): number => t.manifest?.total ?? t.info.total ?? t.highest + 1;
    const missingOf = (t: Transfer): { upTo: number; missing: number[]; more: boolean } => {
      const bound = upTo(t);
      const missing: number[] = [];
      let more = false;
      for (let index = 0; index < bound; index++) {
        if (t.received.has(index)) continue;
        if (missing.length === MAX_LISTED_CHUNKS) {
          more = true;
          break;
        }
        missing.push(index);
      }
      return { upTo: bound, missing, more };
    };
    const sendStatus = (t: Transfer): void =>
      reply(t.replyTo, { kind: 'status', id: t.info.fileId, ...missingOf(t) });

    const fail = (t: Transfer, error: Error): void => {
      if (t.ended) return;
      t.ended = true;
      t.timer?.unsubscribe();
      transfers.delete(t.info.fileId);
      const frame: FileReplyFrame = {
        kind: 'failed',
        id: t.info.fileId,
        error: error.name,
        reason: error.message,
      };
      remember(frame);
      reply(t.replyTo, frame);
      t.sink?.abort().catch((abortError: unknown) =>
        logger.warn('receiveFiles: cannot remove a failed file', {
          fileId: t.info.fileId,
          error: errorOf(abortError).message,
        }),
      );
      emit({ type: 'failed', fileId: t.info.fileId, name: t.info.name, error });
    };

    const armTimer = (t: Transfer): void => {
      t.timer?.unsubscribe();
      t.timer = scheduler.schedule(() => {
        if (t.ended || t.finishing) return;
        t.timeouts += 1;
        if (t.timeouts > maxTimeouts) {
          fail(t, new TimeoutError(`receive file ${t.info.fileId}`, timeout * t.timeouts));
          return;
        }
        const { missing, more } = missingOf(t);
        emit({
          type: 'timeout',
          fileId: t.info.fileId,
          missing,
          more: more || (t.manifest === undefined && t.info.total === null),
        });
        sendStatus(t);
        armTimer(t);
      }, timeout);
    };

    const finishIfComplete = async (t: Transfer): Promise<void> => {
      const { manifest, sink } = t;
      if (!manifest || !sink || t.finishing || t.ended || t.received.size < manifest.total) return;
      t.finishing = true;
      t.timer?.unsubscribe();
      try {
        const actual = await sink.sha256(manifest.size);
        if (actual !== manifest.sha256) {
          fail(t, new ChecksumMismatchError(t.info.fileId, undefined, manifest.sha256, actual));
          return;
        }
        const location = await sink.commit(manifest.size);
        t.ended = true;
        transfers.delete(t.info.fileId);
        const frame: FileReplyFrame = { kind: 'done', id: t.info.fileId, sha256: actual };
        remember(frame);
        reply(t.replyTo, frame);
        emit({
          type: 'completed',
          fileId: t.info.fileId,
          name: t.info.name,
          size: manifest.size,
          sha256: actual,
          location,
        });
      } catch (error) {
        fail(t, errorOf(error));
      }
    };

    /** The reason a start must be refused, if any. */
    const refusal = (frame: FileStart): Error | undefined => {
      const name = checkFileName(frame.name);
      if (isLeft(name)) return name.left;
      if (frame.size !== null && frame.size > maxFileSize)
        return new FileTooLargeError(frame.id, frame.size, maxFileSize);
      if (frame.total !== null && frame.total > maxChunks) {
        return new TransferLimitError(frame.id, 'chunks', frame.total, maxChunks);
      }
      if (transfers.size >= maxConcurrent) {
        return new TransferLimitError(frame.id, 'concurrent', transfers.size + 1, maxConcurrent);
      }
      return undefined;
    };

    const onStart = async (frame: FileStart, replyTo: string | undefined): Promise<void> => {
      const known = ended.get(frame.id);
      if (known) return reply(replyTo, known);
      const existing = transfers.get(frame.id);
      if (existing) {
        if (replyTo) existing.replyTo = replyTo;
        await existing.opening;
        if (!existing.ended) sendStatus(existing);
        return;
      }
      const info: FileInfo = {
        fileId: frame.id,
        name: frame.name,
        size: frame.size,
        chunkSize: frame.chunkSize,
        total: frame.total,
        ...(frame.mime === undefined ? {} : { mime: frame.mime }),
        ...(frame.metadata === undefined ? {} : { metadata: frame.metadata }),
      };
      const refused = refusal(frame);
      if (refused) {
        const failed: FileReplyFrame = {
          kind: 'failed',
          id: frame.id,
          error: refused.name,
          reason: refused.message,
        };
        reply(replyTo, failed);
        // a refused name or size is for good; too many at once may pass later
        if (!(refused instanceof TransferLimitError && refused.what === 'concurrent')) remember(failed);
        emit({
          type: 'failed',
          fileId: frame.id,
          name: isLeft(checkFileName(frame.name)) ? undefined : frame.name,
          error: refused,
        });
        return;
      }
      const t: Transfer = {
        info,
        replyTo: replyTo ?? '',
        opening: Promise.resolve(),
        received: new Set(),
        writing: new Set(),
        bytes: 0,
        highest: -1,
        timeouts: 0,
        finishing: false,
        ended: false,
      };
      transfers.set(frame.id, t);
      t.opening = writer.open(info).then(
        (sink) => {
          t.sink = sink;
          if (stopped) {
            // unsubscribed while it opened: let it go at once, what it holds kept for a resume
            sink.release?.().catch(() => undefined);
            return;
          }
          for (const index of sink.received) {
            if (frame.total !== null && index >= frame.total) continue;
            t.received.add(index);
            t.highest = Math.max(t.highest, index);
            t.bytes +=
              index === (frame.total ?? 0) - 1 && frame.size !== null
                ? frame.size - index * frame.chunkSize
                : frame.chunkSize;
          }
          emit({ type: 'started', ...info, resumed: t.received.size });
          sendStatus(t);
          armTimer(t);
        },
        (error: unknown) => fail(t, errorOf(error)),
      );
      await t.opening;
    };

    /** Why a chunk does not fit its transfer, if it does not. */
    const misfit = (t: Transfer, c: FileChunk): string | undefined => {
      const { chunkSize, size, total } = t.info;
      if (c.index >= maxChunks) return `chunk index ${c.index} is past the limit of ${maxChunks} chunks`;
      if (c.offset !== c.index * chunkSize)
        return `chunk ${c.index} at offset ${c.offset}, expected ${c.index * chunkSize}`;
      if (c.size > chunkSize || c.size === 0)
        return `chunk ${c.index} has ${c.size} bytes, chunk size is ${chunkSize}`;
      if (total !== null && c.total !== total)
        return `chunk ${c.index} says total ${String(c.total)}, start said ${total}`;
      const end = c.offset + c.size;
      if (end > maxFileSize) return `chunk ${c.index} ends at ${end}, past the limit of ${maxFileSize} bytes`;
      if (size !== null && end > size) return `chunk ${c.index} ends at ${end}, past the size ${size}`;
      if (size !== null && end < size && c.size !== chunkSize)
        return `chunk ${c.index} is short but not the last`;
      return undefined;
    };

    const onChunk = async (c: FileChunk, replyTo: string | undefined): Promise<void> => {
      const t = transfers.get(c.id);
      if (!t) {
        reply(replyTo, ended.get(c.id) ?? { kind: 'unknown', id: c.id });
        return;
      }
      await t.opening;
      if (t.ended || !t.sink) return;
      if (t.received.has(c.index)) {
        reply(t.replyTo, { kind: 'ack', id: c.id, indices: [c.index] });
        return;
      }
      if (t.writing.has(c.index)) return;
      const wrong = misfit(t, c);
      if (wrong !== undefined) {
        fail(t, new FileFrameError(wrong));
        return;
      }
      const actual = hasher().update(c.bytes).digest();
      if (actual !== c.sha256) {
        logger.warn('receiveFiles: chunk dropped, its sha256 does not match', {
          fileId: c.id,
          index: c.index,
          error: new ChecksumMismatchError(c.id, c.index, c.sha256, actual).message,
        });
        return;
      }
      t.writing.add(c.index);
      try {
        await t.sink.write(c.index, c.offset, c.bytes);
      } catch (error) {
        fail(t, errorOf(error));
        return;
      } finally {
        t.writing.delete(c.index);
      }
      if (t.ended) return;
      t.received.add(c.index);
      t.bytes += c.size;
      t.highest = Math.max(t.highest, c.index);
      t.timeouts = 0;
      armTimer(t);
      reply(t.replyTo, { kind: 'ack', id: c.id, indices: [c.index] });
      emit({ type: 'chunk', fileId: c.id, index: c.index, offset: c.offset, size: c.size });
      emit({
        type: 'progress',
        fileId: c.id,
        bytesReceived: t.bytes,
        chunksReceived: t.received.size,
        size: t.manifest?.size ?? t.info.size,
        total: t.manifest?.total ?? t.info.total,
      });
      await finishIfComplete(t);
    };

    const onManifest = async (m: FileManifest, replyTo: string | undefined): Promise<void> => {
      const t = transfers.get(m.id);
      if (!t) {
        reply(replyTo, ended.get(m.id) ?? { kind: 'unknown', id: m.id });
        return;
      }
      await t.opening;
      if (t.ended) return;
      const { size, chunkSize } = t.info;
      if ((size !== null && m.size !== size) || m.total !== Math.ceil(m.size / chunkSize)) {
        fail(
          t,
          new FileFrameError(`manifest of ${m.size} bytes in ${m.total} chunks does not match the start`),
        );
        return;
      }
      if (m.size > maxFileSize) {
        fail(t, new FileTooLargeError(m.id, m.size, maxFileSize));
        return;
      }
      t.manifest = m;
      await finishIfComplete(t);
    };

    const handle = async (delivery: Delivery): Promise<void> => {
      const frame = decodeFileFrame(delivery.message);
      if (isLeft(frame)) {
        emit({ type: 'invalid', error: frame.left });
        await delivery.fail(frame.left);
        return;
      }
      const replyTo = delivery.message.replyTo;
      const f = frame.right;
      if (f.kind === 'start') await onStart(f, replyTo);
      else if (f.kind === 'chunk') await onChunk(f, replyTo);
      else await onManifest(f, replyTo);
      // acknowledged once handled: a chunk only after it is written, so a crash redelivers it
      delivery.finish();
    };

    const consumer = transport
      .subscribeTopic(topic, {
        ...(options.channel === undefined ? {} : { channel: options.channel }),
        ...(options.onReady === undefined ? {} : { onReady: options.onReady }),
        maxInFlight: options.maxInFlight ?? DEFAULT_FILE_MAX_IN_FLIGHT,
      })
      .subscribe({
        next: (delivery) => {
          handle(delivery).catch((error: unknown) => {
            logger.error('receiveFiles: a frame could not be handled', { error: errorOf(error).message });
            delivery.fail(error).catch(() => undefined);
          });
        },
        error: (error: unknown) => subscriber.error(error),
        complete: () => subscriber.complete(),
      });

    return () => {
      stopped = true;
      consumer.unsubscribe();
      for (const t of transfers.values()) {
        t.timer?.unsubscribe();
        // its handles closed now (not left to the garbage collector), what it wrote kept for a resume
        t.sink?.release?.().catch((error: unknown) =>
          logger.warn('file: could not release a transfer on unsubscribe', {
            fileId: t.info.fileId,
            error: errorOf(error).message,
          }),
        );
      }
      transfers.clear();
    };
  });
