/**
 * Socket-level timestamps for the `hops` group: every `data` event and every
 * write that reaches a socket (`_write` / `_writev`, one syscall each), with a
 * clock shared by processes on one machine (`performance.timeOrigin + now()`).
 *
 * In the benchmark process it is started and stopped in code
 * ({@link traceSockets}). A responder process loads this file with `-r` and
 * {@link TRACE_FILE_ENV} set: it traces from start-up and writes its events to
 * that file when it exits.
 */
import { writeFileSync } from 'node:fs';
import { Socket } from 'node:net';

/** Where a preloaded trace writes its events on exit. */
export const TRACE_FILE_ENV = 'RXMINI_SOCKET_TRACE_FILE';

/** One read or write: time (ms, shared clock), direction, socket number in this process, bytes. */
export type SocketEvent = readonly [at: number, dir: 'r' | 'w', socket: number, bytes: number];

interface Traced {
  __traceId?: number;
}

type WriteRequest = { readonly chunk: { readonly length: number } };

/** Starts recording; `stop()` restores the socket methods and returns what was recorded. */
export const traceSockets = (): { stop(): SocketEvent[] } => {
  const events: SocketEvent[] = [];
  let ids = 0;
  const idOf = (socket: Traced): number => (socket.__traceId ??= ++ids);
  const now = (): number => performance.timeOrigin + performance.now();
  const proto = Socket.prototype as unknown as {
    emit: (event: string | symbol, ...args: unknown[]) => boolean;
    _write: (chunk: { length: number }, ...rest: unknown[]) => void;
    _writev: (chunks: readonly WriteRequest[], ...rest: unknown[]) => void;
  };
  const { emit, _write: write, _writev: writev } = proto;
  proto.emit = function tracedEmit(this: Traced, event, ...args) {
    if (event === 'data') events.push([now(), 'r', idOf(this), (args[0] as { length: number }).length]);
    return emit.call(this, event, ...args);
  };
  proto._write = function tracedWrite(this: Traced, chunk, ...rest) {
    events.push([now(), 'w', idOf(this), chunk.length]);
    return write.call(this, chunk, ...rest);
  };
  proto._writev = function tracedWritev(this: Traced, chunks, ...rest) {
    events.push([now(), 'w', idOf(this), chunks.reduce((n, c) => n + c.chunk.length, 0)]);
    return writev.call(this, chunks, ...rest);
  };
  return {
    stop: () => {
      proto.emit = emit;
      proto._write = write;
      proto._writev = writev;
      return events;
    },
  };
};

// loaded with -r in a responder: trace the whole process, write the events on exit
const file = process.env[TRACE_FILE_ENV];
if (file !== undefined) {
  const trace = traceSockets();
  process.once('exit', () => writeFileSync(file, JSON.stringify(trace.stop())));
}
