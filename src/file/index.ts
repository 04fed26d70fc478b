/**
 * File transfer as Observables: chunked, checksummed, resumable,
 * backpressured. Browser-safe; the disk writer and the path and Node Readable
 * sources are in `rxmini/node`.
 *
 * @packageDocumentation
 */
export {
  ChecksumMismatchError,
  ChunkTooLargeError,
  FileFrameError,
  FileRejectedError,
  FileTooLargeError,
  TransferLimitError,
} from './errors.js';
export { fileHooks, type FileHooks } from './fileHooks.js';
export { memoryWriter, type MemoryWriter } from './memoryWriter.js';
export { MAX_FILE_NAME_BYTES, checkFileName } from './names.js';
export {
  DEFAULT_FILE_MAX_IN_FLIGHT,
  DEFAULT_MAX_CHUNKS,
  DEFAULT_MAX_CONCURRENT_FILES,
  DEFAULT_MAX_FILE_SIZE,
  receiveFiles,
} from './receiveFiles.js';
export {
  DEFAULT_FILE_TIMEOUT_MS,
  DEFAULT_FILE_WINDOW,
  MAX_FILE_ID_LENGTH,
  fileReplyTopic,
  newFileId,
  sendFile,
} from './sendFile.js';
export { sha256, sha256Hex, type Hasher, type HasherFactory } from './sha256.js';
export { chunksOf, sourceSize, type FileSource, type FileSourceReader } from './source.js';
export type {
  FileEvent,
  FileInfo,
  FileProgress,
  FileSink,
  FileWriter,
  ReceiveFilesOptions,
  SendFileOptions,
} from './types.js';
export {
  CHUNK_ENVELOPE_BYTES,
  MAX_LISTED_CHUNKS,
  decodeFileFrame,
  decodeFileReply,
  encodeFileFrame,
  encodeFileReply,
  maxChunkSize,
  type FileChunk,
  type FileDataFrame,
  type FileManifest,
  type FileReplyFrame,
  type FileStart,
} from './wire.js';
