/**
 * nsqd's size limits, as the publisher learns them: read from nsqd's HTTP port
 * (`GET /config/max_msg_size`, `/config/max_body_size`; IDENTIFY does not tell
 * them), or from the limit nsqd names when it refuses a command. nsqd v1.3.0
 * checks each PUB, DPUB and MPUB message against `--max-msg-size`
 * (`E_BAD_MESSAGE … message too big <size> > <limit>`) and a whole MPUB body
 * against `--max-body-size` (`E_BAD_BODY MPUB body too big <size> > <limit>`),
 * then closes the connection.
 *
 * @packageDocumentation
 */
import { httpUrl } from './address.js';

/** The limits a publish must respect on one nsqd. */
export interface NsqdLimits {
  /** Largest message body, nsqd's `--max-msg-size`. */
  readonly maxMessageBytes: number;
  /** Largest MPUB body (count, then a length before each message), nsqd's `--max-body-size`. */
  readonly maxBodyBytes: number;
}

/** Which of {@link NsqdLimits} nsqd said was exceeded, and by how much. */
export interface SizeRefusal {
  /** `maxMessageBytes` for `E_BAD_MESSAGE … message too big`, `maxBodyBytes` for `E_BAD_BODY … body too big`. */
  readonly limit: keyof NsqdLimits;
  /** Size nsqd read. */
  readonly size: number;
  /** The limit it was over. */
  readonly max: number;
}

const TOO_BIG = /^E_BAD_(MESSAGE|BODY) (?:PUB|MPUB|DPUB) (message|body) too big (\d+) > (\d+)/;

/** True for nsqd's refusals of a command's size or framing, the ones a smaller batch can avoid. */
export const isSizeRefusal = (reason: string): boolean =>
  reason.startsWith('E_BAD_MESSAGE') || reason.startsWith('E_BAD_BODY');

/**
 * The limit named in nsqd's error text (`E_BAD_MESSAGE MPUB message too big
 * 102400 > 65536`), or undefined when the text names none.
 */
export const parseSizeRefusal = (reason: string): SizeRefusal | undefined => {
  const match = TOO_BIG.exec(reason);
  if (!match) return undefined;
  const [, code, what, size, max] = match;
  // nsqd pairs E_BAD_MESSAGE with a message and E_BAD_BODY with a body; anything else is not v1.x
  if ((code === 'MESSAGE') !== (what === 'message')) return undefined;
  const limit = what === 'message' ? 'maxMessageBytes' : 'maxBodyBytes';
  const parsed = { size: Number(size), max: Number(max) };
  if (!(Number.isSafeInteger(parsed.max) && parsed.max > 0 && Number.isSafeInteger(parsed.size))) {
    return undefined;
  }
  return { limit, ...parsed };
};

/** nsqd's answer to `GET /config/<opt>` for a size: a positive integer (JSON), else undefined. */
export const parseConfigSize = (body: unknown): number | undefined =>
  typeof body === 'number' && Number.isSafeInteger(body) && body > 0 ? body : undefined;

const getConfig = async (base: string, option: string, timeoutMs: number): Promise<number | undefined> => {
  const res = await fetch(`${base}/config/${option}`, { signal: AbortSignal.timeout(timeoutMs) });
  if (!res.ok) throw new Error(`GET ${base}/config/${option}: HTTP ${res.status}`);
  return parseConfigSize(await res.json());
};

/**
 * Reads `--max-msg-size` and `--max-body-size` from nsqd's HTTP address
 * (`host:port` or URL). Rejects when nsqd cannot be asked in `timeoutMs` or
 * answers something else than two sizes.
 */
export const fetchNsqdLimits = async (httpAddress: string, timeoutMs: number): Promise<NsqdLimits> => {
  const base = httpUrl(httpAddress);
  const [maxMessageBytes, maxBodyBytes] = await Promise.all([
    getConfig(base, 'max_msg_size', timeoutMs),
    getConfig(base, 'max_body_size', timeoutMs),
  ]);
  if (maxMessageBytes === undefined || maxBodyBytes === undefined) {
    throw new Error(`${base}/config: not nsqd's size limits`);
  }
  return { maxMessageBytes, maxBodyBytes };
};

/** What becomes of the messages of a refused command: see {@link planAfterRefusal}. */
export interface RefusalPlan<T> {
  /** Over the message limit: each fails alone, with `PayloadTooLargeError`. */
  readonly tooLarge: T[];
  /** Refused on its own for a reason no smaller command avoids: it fails. */
  readonly refused: T[];
  /** Innocent: sent again, on the next connection. */
  readonly resend: T[];
  /** True when `resend` must go one message per command (the refusal named no new limit to batch by). */
  readonly alone: boolean;
}

/**
 * What to do with the messages of a command nsqd refused for its size or
 * framing (`E_BAD_MESSAGE` / `E_BAD_BODY`; an MPUB is all or none, so none of
 * them was queued), given the message limit now known and whether the refusal
 * taught a lower limit (`learned`):
 * - a message over the message limit fails alone (`tooLarge`);
 * - a command of one message that is not over it would be refused again (`refused`);
 * - the others are sent again (`resend`): batched by the new limits when the
 *   refusal taught one, else each on its own (`alone`), so that the next
 *   refusal can only be a culprit's.
 */
export const planAfterRefusal = <T>(
  batch: readonly T[],
  sizeOf: (item: T) => number,
  maxMessageBytes: number,
  learned: boolean,
): RefusalPlan<T> => {
  const tooLarge: T[] = [];
  const rest: T[] = [];
  for (const item of batch) (sizeOf(item) > maxMessageBytes ? tooLarge : rest).push(item);
  if (batch.length === 1) return { tooLarge, refused: rest, resend: [], alone: false };
  return { tooLarge, refused: [], resend: rest, alone: !learned };
};
