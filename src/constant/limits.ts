/**
 * Size and time limits, each defined once: the caps every layer shares.
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

/**
 * Longest timer rxmini sets: 2^31 − 1 ms (about 24.8 days). Host timers behind
 * `asyncScheduler` fire almost at once for anything longer, so TTLs, request
 * timeouts and publish delays are capped here.
 *
 * @example
 * ```ts
 * import { MAX_TTL_MS } from 'rxmini';
 * const ttlMs = Math.min(30 * 24 * 3_600_000, MAX_TTL_MS);
 * ```
 */
export const MAX_TTL_MS = 2_147_483_647;

/**
 * Longest requeue (or deferred publish) delay: 1 h, nsqd's default `--max-req-timeout`.
 *
 * @example
 * ```ts
 * import { MAX_REQUEUE_DELAY_MS } from 'rxmini';
 * const delayMs = Math.min(2 * 3_600_000, MAX_REQUEUE_DELAY_MS); // 3_600_000
 * ```
 */
export const MAX_REQUEUE_DELAY_MS = 3_600_000;

/**
 * The memory broker's name for {@link MAX_REQUEUE_DELAY_MS}: the longest requeue
 * or deferred publish delay it accepts (1 h).
 *
 * @example
 * ```ts
 * import { MAX_DEFER_MS } from 'rxmini';
 * MAX_DEFER_MS; // 3_600_000
 * ```
 */
export const MAX_DEFER_MS = MAX_REQUEUE_DELAY_MS;

/**
 * Default in-flight timeout of a message: 60 s, nsqd's default `--msg-timeout`;
 * assumed when a consumer or the server says none.
 *
 * @example
 * ```ts
 * import { DEFAULT_MSG_TIMEOUT_MS } from 'rxmini';
 * const touchEveryMs = DEFAULT_MSG_TIMEOUT_MS / 2;
 * ```
 */
export const DEFAULT_MSG_TIMEOUT_MS = 60_000;

/**
 * Default longest in-flight timeout: 15 min, nsqd's default `--max-msg-timeout`,
 * past which nsqd times a message out however often it is touched.
 *
 * @example
 * ```ts
 * import { DEFAULT_MAX_MSG_TIMEOUT_MS } from 'rxmini';
 * DEFAULT_MAX_MSG_TIMEOUT_MS; // 900_000
 * ```
 */
export const DEFAULT_MAX_MSG_TIMEOUT_MS = 900_000;

/**
 * How long a delivery is touched automatically: {@link DEFAULT_MAX_MSG_TIMEOUT_MS}
 * (15 min). A handler stuck longer than that gets its message redelivered.
 *
 * @example
 * ```ts
 * import { MAX_AUTO_TOUCH_MS } from 'rxmini';
 * MAX_AUTO_TOUCH_MS; // 900_000
 * ```
 */
export const MAX_AUTO_TOUCH_MS = DEFAULT_MAX_MSG_TIMEOUT_MS;

/**
 * Largest message body a stock nsqd accepts: 1 MiB, its default `--max-msg-size`. The memory broker refuses a
 * bigger one by default (`maxMessageBytes`). The NSQ publisher starts from it and then follows nsqd's own limit,
 * read from nsqd's HTTP port or learned from its first refusal.
 *
 * @example
 * ```ts
 * import { DEFAULT_MAX_MESSAGE_BYTES } from 'rxmini';
 * DEFAULT_MAX_MESSAGE_BYTES; // 1_048_576
 * ```
 */
export const DEFAULT_MAX_MESSAGE_BYTES = 1_048_576;
