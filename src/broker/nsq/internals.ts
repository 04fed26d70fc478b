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
import { DEFAULT_MAX_MSG_TIMEOUT_MS, DEFAULT_MSG_TIMEOUT_MS } from '../../constant/limits.js';

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
  message: object,
): { readonly timeoutMs: number; readonly maxTimeoutMs: number } => {
  const { msgTimeout, maxMsgTimeout } = message as unknown as MessageInternals;
  return {
    timeoutMs: typeof msgTimeout === 'number' && msgTimeout > 0 ? msgTimeout : DEFAULT_MSG_TIMEOUT_MS,
    maxTimeoutMs:
      typeof maxMsgTimeout === 'number' && maxMsgTimeout > 0 ? maxMsgTimeout : DEFAULT_MAX_MSG_TIMEOUT_MS,
  };
};

interface WriterConnectionInternals {
  statemachine?: { current_state_name?: unknown };
  messageCallbacks?: unknown;
}

/**
 * Writes an already encoded PUB/MPUB command (its pieces, one after the other:
 * corked, they leave in one `writev`) on the Writer's connection, with
 * `callback` queued for nsqd's answer exactly as nsqjs's own `produceMessages`
 * does (answers come back in order). Returns false, having done nothing, when
 * the connection is not ready to send or its internals are not the expected
 * ones: the caller then goes through `writer.publish`.
 */
export const writeCommand = (
  writer: nsq.Writer,
  pieces: readonly Buffer[],
  callback: (error?: Error | null) => void,
): boolean => {
  const conn = writerConnection(writer);
  if (!conn) return false;
  const { statemachine, messageCallbacks } = conn as unknown as WriterConnectionInternals;
  if (statemachine?.current_state_name !== 'READY_SEND' || !Array.isArray(messageCallbacks)) return false;
  messageCallbacks.push(callback);
  for (const piece of pieces) conn.write(piece);
  return true;
};

/**
 * What a {@link WireMessage} needs from its reader connection: the corked
 * `write`, `emit` for the events nsqjs's RDY accounting listens to, and the
 * output stream to tell whether writing still makes sense.
 */
interface ReaderConnectionInternals extends NsqdConnectionInternals {
  emit(event: string): boolean;
  createMessage(payload: Buffer): unknown;
  close(): void;
  msgTimeout: unknown;
  maxMsgTimeout: unknown;
  config?: { requeueDelay?: unknown };
}

/** Room for about 3,000 FINs: the acks of one tick usually go out as one buffer. */
const ACK_CHUNK_BYTES = 64 * 1024;

/**
 * Where the {@link WireMessage}s of one connection write their acks: `FIN <id>\n`,
 * `REQ <id> <ms>\n` and `TOUCH <id>\n` are encoded straight into a shared buffer
 * (the id copied as bytes, never decoded), and the acks of one tick leave as
 * one buffer on the next tick. Any other command written on the connection, and
 * its close, first sends the acks waiting, so the order nsqd sees is the order
 * they were made in.
 */
class AckWriter {
  private chunk = Buffer.allocUnsafe(0);
  private start = 0;
  private end = 0;
  private scheduled = false;

  constructor(
    readonly conn: ReaderConnectionInternals,
    /** The connection's write beneath this layer (corked). */
    private readonly write: (data: Buffer) => void,
  ) {}

  private readonly flushOnTick = (): void => {
    this.scheduled = false;
    this.flush();
  };

  append(verb: string, raw: Buffer, suffix: string): void {
    const size = verb.length + 16 + suffix.length + 1;
    if (this.end + size > this.chunk.length) {
      this.flush();
      this.chunk = Buffer.allocUnsafe(Math.max(ACK_CHUNK_BYTES, size));
      this.start = 0;
      this.end = 0;
    }
    const chunk = this.chunk;
    let at = this.end;
    at += chunk.write(verb, at, 'latin1');
    at += raw.copy(chunk, at, 10, 26);
    if (suffix.length > 0) at += chunk.write(suffix, at, 'latin1');
    chunk[at] = 0x0a;
    this.end = at + 1;
    if (!this.scheduled) {
      this.scheduled = true;
      process.nextTick(this.flushOnTick);
    }
  }

  /** Sends the acks waiting (the bytes handed over are never written again). */
  flush(): void {
    if (this.end === this.start) return;
    const data = this.chunk.subarray(this.start, this.end);
    this.start = this.end;
    const out = this.conn.outWriter;
    // a closed connection's messages are redelivered by nsqd: nothing to say to it
    if (!out || out.destroyed || out.writableEnded) return;
    try {
      this.write.call(this.conn, data);
    } catch {
      // a stream that failed under us: nsqjs reports the connection error itself
    }
  }
}

/**
 * A received message, as nsqjs 0.13's `Message` minus its per-message costs:
 * no EventEmitter, no timeout timer, no debug strings, no next-tick respond, no
 * buffer per ack. `finish`/`requeue` queue `FIN`/`REQ` on the connection's
 * {@link AckWriter} at once, mark the message answered, and emit the
 * connection's `finished`/`requeued` (and `backoff`) events, so nsqjs's RDY
 * state machine counts the in-flight message down exactly as after its own
 * `Message.finish`. An answer after the first is a no-op.
 */
export class WireMessage {
  /** True once FIN or REQ was queued. */
  hasResponded = false;

  constructor(
    /** The frame payload: timestamp (8), attempts (2), id (16), body. */
    readonly rawMessage: Buffer,
    private readonly acks: AckWriter,
    /** nsqd's message timeout for this connection, in ms. */
    readonly msgTimeout: number,
    /** nsqd's hard cap after delivery, in ms. */
    readonly maxMsgTimeout: number,
    private readonly requeueDelay: number,
  ) {}

  get id(): string {
    return this.rawMessage.toString('latin1', 10, 26);
  }

  get timestamp(): bigint {
    return this.rawMessage.readBigInt64BE(0);
  }

  get attempts(): number {
    return this.rawMessage.readInt16BE(8);
  }

  get body(): Buffer {
    return this.rawMessage.subarray(26);
  }

  finish(): void {
    if (this.hasResponded) return;
    this.hasResponded = true;
    this.acks.append('FIN ', this.rawMessage, '');
    this.acks.conn.emit('finished');
  }

  requeue(delay: number = this.requeueDelay, backoff = true): void {
    if (this.hasResponded) return;
    this.hasResponded = true;
    const ms = Number.isFinite(delay) ? Math.max(0, Math.round(delay)) : 0;
    this.acks.append('REQ ', this.rawMessage, ` ${ms}`);
    this.acks.conn.emit('requeued');
    if (backoff) this.acks.conn.emit('backoff');
  }

  touch(): void {
    if (this.hasResponded) return;
    this.acks.append('TOUCH ', this.rawMessage, '');
  }
}

/** True when `conn` is a reader connection this layer can make {@link WireMessage}s on. */
const isReaderConnection = (conn: NsqdConnectionInternals): conn is ReaderConnectionInternals => {
  const c = conn as Partial<ReaderConnectionInternals>;
  return (
    typeof c.createMessage === 'function' &&
    typeof c.emit === 'function' &&
    typeof c.close === 'function' &&
    'msgTimeout' in c
  );
};

/**
 * Makes `conn` (an nsqjs 0.13 reader connection, before it connects) create
 * {@link WireMessage}s instead of nsqjs `Message`s, their acks written through
 * one {@link AckWriter} per connection. Call after `corkConnection`: the acks
 * then go through the corked write.
 *
 * @returns false, having changed nothing, when the internals are not the expected ones.
 */
export const useWireMessages = (conn: NsqdConnectionInternals): boolean => {
  if (!isReaderConnection(conn)) return false;
  const requeueDelay = typeof conn.config?.requeueDelay === 'number' ? conn.config.requeueDelay : 0;
  const write = conn.write;
  const close = conn.close;
  const acks = new AckWriter(conn, write);
  conn.write = function writeAfterAcks(this: ReaderConnectionInternals, data: Buffer | string): void {
    acks.flush();
    write.call(this, data);
  };
  conn.close = function closeAfterAcks(this: ReaderConnectionInternals): void {
    acks.flush();
    close.call(this);
  };
  conn.createMessage = function createWireMessage(this: ReaderConnectionInternals, payload: Buffer) {
    const timeout =
      typeof this.msgTimeout === 'number' && this.msgTimeout > 0 ? this.msgTimeout : DEFAULT_MSG_TIMEOUT_MS;
    const max =
      typeof this.maxMsgTimeout === 'number' && this.maxMsgTimeout > 0
        ? this.maxMsgTimeout
        : DEFAULT_MAX_MSG_TIMEOUT_MS;
    return new WireMessage(payload, acks, timeout, max, requeueDelay);
  };
  return true;
};

interface BatchingReaderInternals {
  handleMessage(message: unknown): void;
  emit(event: string, message: unknown): boolean;
  config?: { maxAttempts?: unknown };
}

/**
 * nsqjs's Reader hands each message to its listeners on a `process.nextTick` of
 * its own (so its RDY listeners see the message first). This queues the
 * messages of one tick and hands them all over on one next tick, in order.
 * Only for a Reader with `maxAttempts: 0` (no auto-finish or `discard`).
 *
 * @returns false, having changed nothing, when the internals are not the expected ones.
 */
export const batchReaderMessages = (reader: nsq.Reader): boolean => {
  const internals = reader as unknown as Partial<BatchingReaderInternals>;
  if (typeof internals.handleMessage !== 'function' || internals.config?.maxAttempts !== 0) return false;
  let queue: unknown[] = [];
  const flush = (): void => {
    const batch = queue;
    queue = [];
    for (let i = 0; i < batch.length; i += 1) {
      try {
        reader.emit('message', batch[i]);
      } catch (error) {
        // what is left still goes out, after the error surfaced as nsqjs's would
        queue = [...batch.slice(i + 1), ...queue];
        if (queue.length > 0) process.nextTick(flush);
        throw error;
      }
    }
  };
  internals.handleMessage = (message: unknown): void => {
    queue.push(message);
    if (queue.length === 1) process.nextTick(flush);
  };
  return true;
};

interface ConnectionRdyInternals {
  bump(): void;
  statemachine?: { current_state_name?: unknown };
  conn?: { nsqdVersion?: unknown };
}

interface ReaderRdyInternals {
  createConnectionRdy(conn: unknown): unknown;
}

/**
 * nsqjs raises a RDY `bump` on every FIN; in the MAX state it is a no-op for
 * nsqd ≥ 0.3.0 (RDY stays set on the server), yet it compares the version as
 * arrays (two string joins) on every message. This answers that case without
 * the comparison and leaves every other state and version to nsqjs.
 *
 * @returns false, having changed nothing, when the internals are not the expected ones.
 */
export const skipNoopRdyBumps = (reader: nsq.Reader): boolean => {
  const readerRdy = (reader as unknown as { readerRdy?: Partial<ReaderRdyInternals> }).readerRdy;
  const create = readerRdy?.createConnectionRdy;
  if (!readerRdy || typeof create !== 'function') return false;
  let knownVersion: string | undefined;
  let knownModern = false;
  const modern = (version: unknown): boolean => {
    if (typeof version !== 'string' || version === '') return false;
    if (version !== knownVersion) {
      knownVersion = version;
      // exactly nsqjs's test: `version.split('.') < [0, 3, 0]`, i.e. string order
      knownModern = !(version.split('.').join(',') < '0,3,0');
    }
    return knownModern;
  };
  readerRdy.createConnectionRdy = function createAndPatch(this: unknown, conn: unknown): unknown {
    const connRdy = create.call(this, conn) as Partial<ConnectionRdyInternals>;
    const bump = connRdy.bump;
    if (typeof bump === 'function') {
      connRdy.bump = function bumpUnlessNoop(this: ConnectionRdyInternals): void {
        if (this.statemachine?.current_state_name === 'MAX' && modern(this.conn?.nsqdVersion)) return;
        bump.call(this);
      };
    }
    return connRdy;
  };
  return true;
};
