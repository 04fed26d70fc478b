/**
 * NSQ publish commands as bytes (pure functions, no socket). nsqjs encodes the
 * same commands, but checks every message with lodash type tests that cost a
 * quarter of the publish path's CPU for Buffer bodies.
 *
 * @see https://nsq.io/clients/tcp_protocol_spec.html
 * @packageDocumentation
 */

const header = (line: string, bodyLength: number): Buffer => {
  const head = Buffer.allocUnsafe(Buffer.byteLength(line) + 4);
  const written = head.write(line, 0, 'utf8');
  head.writeInt32BE(bodyLength, written);
  return head;
};

/**
 * Bodies of at least this many bytes are written as pieces of their own, never
 * copied; shorter ones are copied in with the command's other bytes (a `writev`
 * of many tiny pieces costs more than copying them).
 */
export const INLINE_BODY_BYTES = 16 * 1024;

/** `bytes` as a Buffer over the same memory (no copy). */
const asBuffer = (bytes: Uint8Array): Buffer =>
  Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

/**
 * `PUB <topic>\n[size][body]`: one message, as the pieces to write one after
 * the other (a body of {@link INLINE_BODY_BYTES} or more is its own piece, the
 * caller's memory, not a copy).
 */
export const encodePub = (topic: string, body: Uint8Array): Buffer[] => {
  const head = header(`PUB ${topic}\n`, body.length);
  return body.length >= INLINE_BODY_BYTES ? [head, asBuffer(body)] : [Buffer.concat([head, body])];
};

/**
 * `MPUB <topic>\n[size][count]([size][body])*`: several messages, queued by nsqd
 * all or none, as the pieces to write one after the other. Bodies of
 * {@link INLINE_BODY_BYTES} or more are pieces of their own (the caller's
 * memory, not copies); everything between them is copied into as few pieces
 * as there are such bodies, plus one.
 */
export const encodeMpub = (topic: string, bodies: readonly Uint8Array[]): Buffer[] => {
  let size = 4;
  for (const body of bodies) size += 4 + body.length;
  const head = header(`MPUB ${topic}\n`, size);
  // the lengths of the copied runs between the bodies that go as they are
  const runs: number[] = [];
  let run = head.length + 4;
  for (const body of bodies) {
    run += 4;
    if (body.length >= INLINE_BODY_BYTES) {
      runs.push(run);
      run = 0;
    } else run += body.length;
  }
  runs.push(run);
  const pieces: Buffer[] = [];
  let next = 0;
  let piece = Buffer.allocUnsafe(runs[next++] as number);
  let offset = head.copy(piece, 0);
  offset = piece.writeInt32BE(bodies.length, offset);
  for (const body of bodies) {
    offset = piece.writeInt32BE(body.length, offset);
    if (body.length >= INLINE_BODY_BYTES) {
      pieces.push(piece, asBuffer(body));
      piece = Buffer.allocUnsafe(runs[next++] as number);
      offset = 0;
    } else {
      piece.set(body, offset);
      offset += body.length;
    }
  }
  if (piece.length > 0) pieces.push(piece);
  return pieces;
};
