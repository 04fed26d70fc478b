/**
 * The file protocol's frames, and pure functions between them and
 * {@link Message}s. Every frame is a message of type `stream` whose
 * `contextID` is the file id; `body.file` names the frame.
 *
 * On the files topic (sender → receiver):
 * - `start`: the name, the size when known, the chunk size, the chunk count when known, mime and metadata;
 * - `chunk`: `id`, `index`, `total`, `offset`, `size` and the chunk's `sha256` in the body, the bytes
 *   in `rawBody` — a binary frame on the wire ({@link encode}), no base64;
 * - `manifest`: the whole file's `size`, chunk count and `sha256`, sent once the source is read.
 *
 * On the sender's reply topic (receiver → sender, `replyTo` of every frame above):
 * - `ack`: chunks written; `status`: every chunk still missing (the answer to `start`, and the
 *   resume request after a timeout); `done`: the file was assembled and verified; `failed`: it was
 *   given up; `unknown`: a chunk of a file this receiver has no `start` for (it restarted).
 *
 * @packageDocumentation
 */
import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import { JsonObject } from '../codec/json.js';
import type { Message } from '../codec/message.js';
import { toFieldIssues } from '../codec/issues.js';
import { MessageType } from '../constant/messageType.js';
import { FileFrameError } from './errors.js';

/**
 * Bytes a chunk's message takes besides the chunk itself, at most: the binary
 * frame's prefix and its JSON header with the longest ids and numbers. A chunk
 * of `maxMessageBytes - CHUNK_ENVELOPE_BYTES` bytes always fits.
 *
 * @example
 * ```ts
 * import { CHUNK_ENVELOPE_BYTES, DEFAULT_MAX_MESSAGE_BYTES } from 'rxmini';
 * const chunkSize = DEFAULT_MAX_MESSAGE_BYTES - CHUNK_ENVELOPE_BYTES; // what a stock nsqd takes
 * ```
 */
export const CHUNK_ENVELOPE_BYTES = 512;

/**
 * Most chunk indices one `status` or `ack` frame lists; a `status` with more
 * missing says `more: true` and lists the first ones.
 *
 * @example
 * ```ts
 * import { MAX_LISTED_CHUNKS } from 'rxmini';
 * MAX_LISTED_CHUNKS; // 8_192
 * ```
 */
export const MAX_LISTED_CHUNKS = 8_192;

/** A file id: what a sender picks (1–64 characters of `[A-Za-z0-9_-]`). */
const FILE_ID = /^[A-Za-z0-9_-]{1,64}$/;
const SHA256_HEX = /^[0-9a-f]{64}$/;

const Count = new t.Type<number, number, unknown>(
  'non-negative integer',
  (u): u is number => typeof u === 'number' && Number.isSafeInteger(u) && u >= 0,
  (u, c) =>
    typeof u === 'number' && Number.isSafeInteger(u) && u >= 0
      ? t.success(u)
      : t.failure(u, c, 'expected a non-negative integer'),
  t.identity,
);
const Positive = t.refinement(Count, (n) => n > 0, 'positive integer');
const FileId = t.refinement(t.string, (s) => FILE_ID.test(s), 'file id ([A-Za-z0-9_-]{1,64})');
const Sha256 = t.refinement(t.string, (s) => SHA256_HEX.test(s), 'sha256 (64 lowercase hex)');
const Indices = t.array(Count);

const StartBody = t.intersection([
  t.type({
    file: t.literal('start'),
    id: FileId,
    name: t.string,
    size: t.union([Count, t.null]),
    chunkSize: Positive,
    total: t.union([Count, t.null]),
  }),
  t.partial({ mime: t.string, metadata: JsonObject }),
]);
const ChunkBody = t.type({
  file: t.literal('chunk'),
  id: FileId,
  index: Count,
  total: t.union([Count, t.null]),
  offset: Count,
  size: Count,
  sha256: Sha256,
});
const ManifestBody = t.type({
  file: t.literal('manifest'),
  id: FileId,
  size: Count,
  total: Count,
  sha256: Sha256,
});
const AckBody = t.type({ file: t.literal('ack'), id: FileId, indices: Indices });
const StatusBody = t.type({
  file: t.literal('status'),
  id: FileId,
  upTo: Count,
  missing: Indices,
  more: t.boolean,
});
const DoneBody = t.type({ file: t.literal('done'), id: FileId, sha256: Sha256 });
const FailedBody = t.type({ file: t.literal('failed'), id: FileId, error: t.string, reason: t.string });
const UnknownBody = t.type({ file: t.literal('unknown'), id: FileId });

/** What a sender announces first: the name, and the sizes it knows. */
export interface FileStart {
  readonly kind: 'start';
  readonly id: string;
  /** The sender's file name: never trusted by a receiver (see {@link checkFileName}). */
  readonly name: string;
  /** The file's size in bytes, or null when the source does not say (a stream). */
  readonly size: number | null;
  /** Bytes in every chunk but the last. */
  readonly chunkSize: number;
  /** Number of chunks, or null when the size is unknown. */
  readonly total: number | null;
  readonly mime?: string;
  readonly metadata?: JsonObject;
}

/** One chunk: where it goes, how long it is and its SHA-256, and the bytes. */
export interface FileChunk {
  readonly kind: 'chunk';
  readonly id: string;
  /** From 0. */
  readonly index: number;
  /** Number of chunks, or null when the sender does not know it yet. */
  readonly total: number | null;
  /** Where the bytes go in the file: `index × chunkSize`. */
  readonly offset: number;
  /** Length of `bytes`. */
  readonly size: number;
  /** SHA-256 of `bytes`, hex. */
  readonly sha256: string;
  readonly bytes: Uint8Array;
}

/** The whole file, once read: size, chunk count and SHA-256. */
export interface FileManifest {
  readonly kind: 'manifest';
  readonly id: string;
  readonly size: number;
  readonly total: number;
  readonly sha256: string;
}

/** A frame on the files topic. */
export type FileDataFrame = FileStart | FileChunk | FileManifest;

/** A frame on the sender's reply topic. */
export type FileReplyFrame =
  | { readonly kind: 'ack'; readonly id: string; readonly indices: readonly number[] }
  | {
      readonly kind: 'status';
      readonly id: string;
      /** `missing` lists every chunk below this index the receiver lacks (unless `more`). */
      readonly upTo: number;
      readonly missing: readonly number[];
      /** True when more chunks below `upTo` are missing than listed. */
      readonly more: boolean;
    }
  | { readonly kind: 'done'; readonly id: string; readonly sha256: string }
  | { readonly kind: 'failed'; readonly id: string; readonly error: string; readonly reason: string }
  | { readonly kind: 'unknown'; readonly id: string };

const stream = (id: string, body: JsonObject, replyTo?: string, rawBody?: Uint8Array): Message => ({
  type: MessageType.STREAM,
  contextID: id,
  ...(replyTo === undefined ? {} : { replyTo }),
  body,
  ...(rawBody === undefined ? {} : { rawBody }),
});

/**
 * The message of a files-topic frame; `replyTo` is the sender's reply topic.
 * A chunk's bytes go in `rawBody`, verbatim.
 *
 * @example
 * ```ts
 * import { encodeFileFrame, encode } from 'rxmini';
 * const msg = encodeFileFrame(
 *   { kind: 'manifest', id: 'f1', size: 3, total: 1, sha256: 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad' },
 *   '_file.f1#ephemeral',
 * );
 * encode(msg); // JSON: a manifest has no raw bytes
 * ```
 */
export const encodeFileFrame = (frame: FileDataFrame, replyTo: string): Message => {
  switch (frame.kind) {
    case 'start': {
      const { kind, ...rest } = frame;
      return stream(frame.id, { file: kind, ...rest }, replyTo);
    }
    case 'chunk': {
      const { kind, bytes, ...rest } = frame;
      return stream(frame.id, { file: kind, ...rest }, replyTo, bytes);
    }
    case 'manifest': {
      const { kind, ...rest } = frame;
      return stream(frame.id, { file: kind, ...rest }, replyTo);
    }
  }
};

/**
 * The message of a reply-topic frame.
 *
 * @example
 * ```ts
 * import { encodeFileReply } from 'rxmini';
 * encodeFileReply({ kind: 'status', id: 'f1', upTo: 6, missing: [2, 5], more: false }).body;
 * // { file: 'status', id: 'f1', upTo: 6, missing: [2, 5], more: false }
 * ```
 */
export const encodeFileReply = (frame: FileReplyFrame): Message => {
  const { kind, ...rest } = frame;
  return stream(frame.id, { file: kind, ...rest } as JsonObject);
};

const invalid = (reason: string): E.Either<FileFrameError, never> => E.left(new FileFrameError(reason));

const decodeBody = <A>(
  codec: t.Decoder<unknown, A>,
  body: unknown,
  what: string,
): E.Either<FileFrameError, A> => {
  const result = codec.decode(body);
  if (E.isRight(result)) return result;
  return invalid(
    `${what}: ${toFieldIssues(result.left)
      .map((issue) => issue.message)
      .join('; ')}`,
  );
};

const kindOf = (msg: Message): unknown => (msg.body as Record<string, unknown> | undefined)?.['file'];

/**
 * The files-topic frame a message carries, checked: every field of its kind
 * well-formed, a chunk's `rawBody` exactly `size` bytes and its `index` below
 * a known `total`, a start's `total` consistent with its `size`. Never throws.
 *
 * @example
 * ```ts
 * import { decodeFileFrame } from 'rxmini';
 * decodeFileFrame({ type: 'stream', body: { file: 'chunk', id: 'f1' } }); // Left(FileFrameError)
 * ```
 */
export const decodeFileFrame = (msg: Message): E.Either<FileFrameError, FileDataFrame> => {
  const kind = kindOf(msg);
  switch (kind) {
    case 'start': {
      const body = decodeBody(StartBody, msg.body, 'start');
      if (E.isLeft(body)) return body;
      const { file: _, ...rest } = body.right;
      const expected = rest.size === null ? null : Math.ceil(rest.size / rest.chunkSize);
      if (rest.total !== expected) {
        return invalid(
          `start: total ${String(rest.total)} does not match size ${String(rest.size)} in chunks of ${rest.chunkSize}`,
        );
      }
      return E.right({ kind: 'start', ...rest });
    }
    case 'chunk': {
      const body = decodeBody(ChunkBody, msg.body, 'chunk');
      if (E.isLeft(body)) return body;
      const { file: _, ...rest } = body.right;
      const bytes = msg.rawBody;
      if (bytes === undefined) return invalid(`chunk ${rest.index}: no raw bytes`);
      if (bytes.length !== rest.size) {
        return invalid(`chunk ${rest.index}: ${bytes.length} raw bytes, size says ${rest.size}`);
      }
      if (rest.total !== null && rest.index >= rest.total) {
        return invalid(`chunk index ${rest.index} is not below total ${rest.total}`);
      }
      return E.right({ kind: 'chunk', ...rest, bytes });
    }
    case 'manifest': {
      const body = decodeBody(ManifestBody, msg.body, 'manifest');
      if (E.isLeft(body)) return body;
      const { file: _, ...rest } = body.right;
      return E.right({ kind: 'manifest', ...rest });
    }
    default:
      return invalid(`body.file is ${JSON.stringify(kind) ?? 'missing'}, not start, chunk or manifest`);
  }
};

/**
 * The reply-topic frame a message carries, checked. Never throws.
 *
 * @example
 * ```ts
 * import { decodeFileReply, encodeFileReply } from 'rxmini';
 * decodeFileReply(encodeFileReply({ kind: 'unknown', id: 'f1' })); // Right({ kind: 'unknown', id: 'f1' })
 * ```
 */
export const decodeFileReply = (msg: Message): E.Either<FileFrameError, FileReplyFrame> => {
  const kind = kindOf(msg);
  let decoded: E.Either<FileFrameError, { file: string }>;
  switch (kind) {
    case 'ack':
      decoded = decodeBody(AckBody, msg.body, 'ack');
      break;
    case 'status':
      decoded = decodeBody(StatusBody, msg.body, 'status');
      break;
    case 'done':
      decoded = decodeBody(DoneBody, msg.body, 'done');
      break;
    case 'failed':
      decoded = decodeBody(FailedBody, msg.body, 'failed');
      break;
    case 'unknown':
      decoded = decodeBody(UnknownBody, msg.body, 'unknown');
      break;
    default:
      return invalid(`body.file is ${JSON.stringify(kind) ?? 'missing'}, not a reply frame`);
  }
  if (E.isLeft(decoded)) return decoded;
  const { file, ...rest } = decoded.right;
  return E.right({ kind: file, ...rest } as FileReplyFrame);
};

/**
 * The largest chunk a server of `maxMessageBytes` takes: the limit minus
 * {@link CHUNK_ENVELOPE_BYTES}.
 *
 * @example
 * ```ts
 * import { maxChunkSize } from 'rxmini';
 * maxChunkSize(1_048_576); // 1_048_064
 * ```
 */
export const maxChunkSize = (maxMessageBytes: number): number => maxMessageBytes - CHUNK_ENVELOPE_BYTES;
