/**
 * Size limits.
 *
 * @packageDocumentation
 */

/**
 * Largest file chunk rxmini sends by default: 2 MiB (2 × 1024 × 1024 bytes).
 *
 * Chunks travel as raw bytes in a binary frame (no base64), but a frame must still fit the
 * server's `--max-msg-size`, which is 1 MiB on a stock nsqd; a sender clamps its chunk size to
 * what the server accepts.
 *
 * @example
 * ```ts
 * import { MAX_FILE_CHUNK_SIZE } from 'rxmini';
 * const chunks = Math.ceil(5_000_000 / MAX_FILE_CHUNK_SIZE); // 3
 * ```
 */
export const MAX_FILE_CHUNK_SIZE = 2 * 1024 * 1024;

/**
 * Deepest nesting of arrays and objects a message body may have. A body that nests deeper is
 * rejected when decoded, which keeps hostile frames from exhausting the stack.
 *
 * @example
 * ```ts
 * import { MAX_JSON_DEPTH } from 'rxmini';
 * const deep = JSON.parse('['.repeat(MAX_JSON_DEPTH + 1) + ']'.repeat(MAX_JSON_DEPTH + 1));
 * // decodeJson({ type: 'event', body: { deep } }) is a Left
 * ```
 */
export const MAX_JSON_DEPTH = 512;
