/**
 * A narrow, typed view of the nsqjs 0.13.0 internals this layer relies on
 * (neither its README nor @types/nsqjs declares them). Every accessor checks the
 * shape at run time, so a different nsqjs version degrades (no corking, no TLS
 * check) instead of crashing.
 *
 * @packageDocumentation
 * @internal
 */
import type { Socket } from 'node:net';
import type { Writable } from 'node:stream';
import type * as nsq from 'nsqjs';

/** What this layer touches on an nsqjs `NSQDConnection` (reader or writer side). */
export interface NsqdConnectionInternals {
  /** The TCP (or TLS) socket; null until the connect tick has run. */
  conn: Socket | null;
  /** Where `write` sends bytes: the socket, the TLS socket, or a compression stream. */
  outWriter: Writable | null;
  /** Every command nsqjs sends (MAGIC, IDENTIFY, SUB, RDY, FIN, REQ, TOUCH, PUB, MPUB, DPUB, NOP). */
  write(data: Buffer | string): void;
  /** nsqd's address as `host:port`. */
  id(): string;
}

interface WriterInternals {
  conn?: unknown;
  connect(): void;
}

interface ReaderInternals {
  registerConnectionListeners(conn: unknown): void;
}

/** True when `value` looks like an nsqjs 0.13 `NSQDConnection`. */
export const isNsqdConnection = (value: unknown): value is NsqdConnectionInternals =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as Partial<NsqdConnectionInternals>).write === 'function' &&
  typeof (value as Partial<NsqdConnectionInternals>).id === 'function' &&
  'outWriter' in value;

/** The connection a Writer made in its last `connect()`, if any. */
export const writerConnection = (writer: nsq.Writer): NsqdConnectionInternals | undefined => {
  const conn = (writer as unknown as Partial<WriterInternals>).conn;
  return isNsqdConnection(conn) ? conn : undefined;
};

/**
 * Runs `hook` on every connection `writer.connect()` creates, right after it is
 * created (before its socket exists). Call before `connect()`.
 */
export const onWriterConnection = (
  writer: nsq.Writer,
  hook: (conn: NsqdConnectionInternals) => void,
): boolean => {
  const internals = writer as unknown as Partial<WriterInternals>;
  const connect = internals.connect;
  if (typeof connect !== 'function') return false;
  internals.connect = function connectAndHook(this: nsq.Writer): void {
    connect.call(this);
    const conn = writerConnection(this);
    if (conn) hook(conn);
  };
  return true;
};

/**
 * Runs `hook` on every nsqd connection `reader` opens (first dial and re-dials),
 * before its socket exists. Call before `connect()`.
 */
export const onReaderConnection = (
  reader: nsq.Reader,
  hook: (conn: NsqdConnectionInternals) => void,
): boolean => {
  const internals = reader as unknown as Partial<ReaderInternals>;
  const register = internals.registerConnectionListeners;
  if (typeof register !== 'function') return false;
  internals.registerConnectionListeners = function registerAndHook(this: nsq.Reader, conn: unknown): void {
    if (isNsqdConnection(conn)) hook(conn);
    register.call(this, conn);
  };
  return true;
};

interface MessageInternals {
  msgTimeout?: unknown;
  maxMsgTimeout?: unknown;
}

/** nsqd's message timeouts for `message` (from IDENTIFY; nsqd's defaults when unknown). */
export const messageTimeouts = (
  message: nsq.Message,
): { readonly timeoutMs: number; readonly maxTimeoutMs: number } => {
  const { msgTimeout, maxMsgTimeout } = message as unknown as MessageInternals;
  return {
    timeoutMs: typeof msgTimeout === 'number' && msgTimeout > 0 ? msgTimeout : 60_000,
    maxTimeoutMs: typeof maxMsgTimeout === 'number' && maxMsgTimeout > 0 ? maxMsgTimeout : 15 * 60_000,
  };
};

interface WriterConnectionInternals {
  statemachine?: { current_state_name?: unknown };
  messageCallbacks?: unknown;
}

/**
 * Writes an already encoded PUB/MPUB command on the Writer's connection, with
 * `callback` queued for nsqd's answer exactly as nsqjs's own `produceMessages`
 * does (answers come back in order). Returns false, having done nothing, when
 * the connection is not ready to send or its internals are not the expected
 * ones: the caller then goes through `writer.publish`.
 */
export const writeCommand = (
  writer: nsq.Writer,
  frame: Buffer,
  callback: (error?: Error | null) => void,
): boolean => {
  const conn = writerConnection(writer);
  if (!conn) return false;
  const { statemachine, messageCallbacks } = conn as unknown as WriterConnectionInternals;
  if (statemachine?.current_state_name !== 'READY_SEND' || !Array.isArray(messageCallbacks)) return false;
  messageCallbacks.push(callback);
  conn.write(frame);
  return true;
};
