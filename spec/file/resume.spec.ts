import fc from 'fast-check';
import { lastValueFrom, VirtualAction, VirtualTimeScheduler } from 'rxjs';
import { isRight } from 'fp-ts/lib/Either.js';
import { memoryBroker } from '../../src/broker/memory/memoryBroker.js';
import { memoryWriter } from '../../src/file/memoryWriter.js';
import { receiveFiles } from '../../src/file/receiveFiles.js';
import { fileReplyTopic, sendFile } from '../../src/file/sendFile.js';
import { sha256Hex } from '../../src/file/sha256.js';
import type { FileSourceReader } from '../../src/file/source.js';
import type { FileEvent, FileWriter } from '../../src/file/types.js';
import {
  decodeFileReply,
  encodeFileFrame,
  type FileChunk,
  type FileReplyFrame,
} from '../../src/file/wire.js';
import { memoryTransport } from '../../src/transport/memoryTransport.js';
import type { Transport } from '../../src/transport/types.js';
import type { PartialMessage } from '../../src/codec/complete.js';
import { waitFor } from '../helpers/wait.js';

const TIMEOUT = 1_000;

const fileOf = (size: number, seed: number): Uint8Array =>
  Uint8Array.from({ length: size }, (_, i) => (i * 131 + seed * 17 + (i >> 8)) & 0xff);

const chunksOfFile = (id: string, file: Uint8Array, chunkSize: number): FileChunk[] => {
  const total = Math.ceil(file.length / chunkSize);
  return Array.from({ length: total }, (_, index) => {
    const bytes = file.subarray(index * chunkSize, (index + 1) * chunkSize);
    return {
      kind: 'chunk',
      id,
      index,
      total,
      offset: index * chunkSize,
      size: bytes.length,
      sha256: sha256Hex(bytes),
      bytes,
    };
  });
};

/** A file, a chunk size, and what the network does to the chunks: an order, duplicates, drops, where the manifest lands. */
const plans = fc
  .tuple(fc.integer({ min: 1, max: 4_000 }), fc.integer({ min: 16, max: 700 }), fc.nat())
  .chain(([size, chunkSize, seed]) => {
    const indices = Array.from({ length: Math.ceil(size / chunkSize) }, (_, i) => i);
    return fc.record({
      size: fc.constant(size),
      chunkSize: fc.constant(chunkSize),
      seed: fc.constant(seed),
      order: fc.shuffledSubarray(indices, { minLength: indices.length, maxLength: indices.length }),
      duplicated: fc.subarray(indices),
      dropped: fc.subarray(indices),
      manifestAt: fc.nat({ max: indices.length }),
    });
  });

describe('receiveFiles under shuffled, duplicated and dropped chunks (property)', () => {
  it('assembles the file intact, or times out naming exactly the missing chunks and completes once they are resent', async () => {
    await fc.assert(
      fc.asyncProperty(plans, async ({ size, chunkSize, seed, order, duplicated, dropped, manifestAt }) => {
        const broker = memoryBroker();
        const rx = memoryTransport({ broker, service: 'files' });
        const tx = memoryTransport({ broker });
        const clock = new VirtualTimeScheduler(VirtualAction, 0);
        const writer = memoryWriter();
        const events: FileEvent[] = [];
        const replies: FileReplyFrame[] = [];
        const id = `f${seed}`;
        const replyTopic = fileReplyTopic(id);
        const receiving = receiveFiles(rx, 'uploads', {
          writer,
          scheduler: clock,
          timeout: TIMEOUT,
        }).subscribe((e) => events.push(e));
        const replies$ = tx.subscribeTopic(replyTopic, { channel: 'sender#ephemeral' });
        const replying = replies$.subscribe((d) => {
          d.finish();
          const frame = decodeFileReply(d.message);
          if (isRight(frame)) replies.push(frame.right);
        });
        await replies$.ready;
        try {
          const file = fileOf(size, seed);
          const chunks = chunksOfFile(id, file, chunkSize);
          const send = (msg: PartialMessage): Promise<void> => tx.publish('uploads', msg);
          const frame = (f: Parameters<typeof encodeFileFrame>[0]) => encodeFileFrame(f, replyTopic);
          await send(frame({ kind: 'start', id, name: 'f.bin', size, chunkSize, total: chunks.length }));
          await waitFor('started', () => events.some((e) => e.type === 'started'));

          const lost = new Set(dropped);
          const wire: PartialMessage[] = [];
          for (const index of order) {
            if (lost.has(index)) continue;
            wire.push(frame(chunks[index] as FileChunk));
            if (duplicated.includes(index)) wire.push(frame(chunks[index] as FileChunk));
          }
          const manifest = frame({
            kind: 'manifest',
            id,
            size,
            total: chunks.length,
            sha256: sha256Hex(file),
          });
          wire.splice(Math.min(manifestAt, wire.length), 0, manifest);
          for (const msg of wire) await send(msg);
          const handled = () => {
            const channel = broker.stats().topics.find((t) => t.name === 'uploads')?.channels[0];
            return channel !== undefined && channel.finished === channel.messageCount;
          };
          await waitFor('every frame handled', handled);

          // each chunk written once, whatever the duplicates
          const written = events.flatMap((e) => (e.type === 'chunk' ? [e.index] : []));
          expect(new Set(written).size).toBe(written.length);
          expect(written.length).toBe(chunks.length - lost.size);

          clock.maxFrames = TIMEOUT;
          clock.flush();
          const timeouts = events.filter((e) => e.type === 'timeout');
          const missing = [...lost].sort((a, b) => a - b);
          if (lost.size === 0) {
            expect(timeouts).toEqual([]);
          } else {
            expect(timeouts).toEqual([{ type: 'timeout', fileId: id, missing, more: false }]);
            expect(events.some((e) => e.type === 'completed')).toBeFalse();
            // the sender is asked for exactly those
            await waitFor('the resume request', () =>
              replies.some((r) => r.kind === 'status' && r.missing.length === missing.length),
            );
            const status = replies.filter((r) => r.kind === 'status').pop();
            expect(status).toEqual({ kind: 'status', id, upTo: chunks.length, missing, more: false });
            // resume: only the missing chunks are sent again
            for (const index of missing) await send(frame(chunks[index] as FileChunk));
          }
          await waitFor('completed', () => events.some((e) => e.type === 'completed'));
          expect(writer.files.get('f.bin')).toEqual(file);
          expect(events.filter((e) => e.type === 'failed')).toEqual([]);
        } finally {
          receiving.unsubscribe();
          replying.unsubscribe();
          await tx.close();
          await rx.close();
          await broker.close();
        }
      }),
      { numRuns: 60 },
    );
  }, 120_000);
});

/**
 * The sender's transport seen through a bad network: the chunks in `dropped`
 * are lost the first time they are sent, those in `duplicated` arrive twice,
 * and chunks sent close together arrive in reverse order.
 */
const lossy = (
  transport: Transport,
  dropped: ReadonlySet<number>,
  duplicated: ReadonlySet<number>,
): Transport => {
  const lostOnce = new Set<number>();
  let held: (() => void)[] = [];
  const release = (): void => {
    const batch = held.reverse();
    held = [];
    for (const send of batch) send();
  };
  const publish = (topic: string, msg: PartialMessage): Promise<void> => {
    const body = msg.body as { file?: string; index?: number } | undefined;
    if (body?.file !== 'chunk' || body.index === undefined) return transport.publish(topic, msg);
    const index = body.index;
    if (dropped.has(index) && !lostOnce.has(index)) {
      lostOnce.add(index);
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      held.push(() => {
        const copies = duplicated.has(index) ? [msg, msg] : [msg];
        Promise.all(copies.map((m) => transport.publish(topic, m))).then(() => resolve(), reject);
      });
      if (held.length === 1) setTimeout(release, 0);
    });
  };
  return Object.assign(Object.create(transport) as Transport, { publish });
};

/** What a lossy transfer varies: size, chunk size, window, and the chunks dropped once and duplicated. */
const lossyCase = [
  fc.integer({ min: 1, max: 20_000 }),
  fc.integer({ min: 100, max: 3_000 }),
  fc.integer({ min: 1, max: 6 }),
  fc.array(fc.nat({ max: 60 }), { maxLength: 6 }),
  fc.array(fc.nat({ max: 60 }), { maxLength: 6 }),
] as const;

/**
 * A receiver into a memory writer on a fresh memory broker, with a short
 * timeout (the test does not wait) and as many timeouts as it takes, and the
 * sender's transport through {@link lossy}; `send` runs with them, then all of
 * it is closed.
 */
const overLossyNetwork = async (
  dropped: readonly number[],
  duplicated: readonly number[],
  send: (tx: Transport, writer: ReturnType<typeof memoryWriter>) => Promise<void>,
): Promise<void> => {
  const broker = memoryBroker();
  const rx = memoryTransport({ broker, service: 'files' });
  const tx = memoryTransport({ broker });
  const writer = memoryWriter();
  const receiving = receiveFiles(rx, 'uploads', { writer, timeout: 50, maxTimeouts: 1_000 }).subscribe();
  try {
    await send(lossy(tx, new Set(dropped), new Set(duplicated)), writer);
  } finally {
    receiving.unsubscribe();
    await tx.close();
    await rx.close();
    await broker.close();
  }
};

describe('sendFile and receiveFiles over a lossy network (property)', () => {
  it('always ends with the file intact: the sender resends what the receiver names missing', async () => {
    await fc.assert(
      fc.asyncProperty(...lossyCase, (size, chunkSize, window, dropped, duplicated) =>
        overLossyNetwork(dropped, duplicated, async (tx, writer) => {
          const file = fileOf(size, size);
          const sent = await lastValueFrom(
            sendFile(tx, 'uploads', file, { filename: 'x.bin', chunkSize, window, timeout: 60_000 }),
          );
          expect(sent.done).toBeTrue();
          expect(writer.files.get('x.bin')).toEqual(file);
          const lostChunks = dropped.filter((i) => i < Math.ceil(size / chunkSize));
          if (lostChunks.length > 0) expect(sent.chunksResent).toBeGreaterThan(0);
        }),
      ),
      { numRuns: 15 },
    );
  }, 120_000);
});

/**
 * A reader of `file` in pieces of the chunk size that reads later pieces into
 * the ones given back, poisoned first: a piece given back while the sender
 * still needs it (for a resend) would arrive corrupt, and never complete.
 */
const reusingReader = (file: Uint8Array) => {
  const free: Uint8Array[] = [];
  /** Pieces handed out and not given back, with the whole buffer each is a view of. */
  const out = new Map<Uint8Array, Uint8Array>();
  const stats = { yielded: 0, released: 0, strangers: 0 };
  const reader: FileSourceReader = {
    size: file.length,
    read: async function* (pieceSize = 1_000) {
      for (let at = 0; at < file.length; at += pieceSize) {
        const n = Math.min(pieceSize, file.length - at);
        const whole = free.pop() ?? new Uint8Array(pieceSize);
        whole.set(file.subarray(at, at + n));
        const piece = n === pieceSize ? whole : whole.subarray(0, n);
        out.set(piece, whole);
        stats.yielded += 1;
        yield piece;
      }
    },
    release: (piece) => {
      const whole = out.get(piece);
      if (!whole) {
        stats.strangers += 1;
        return;
      }
      out.delete(piece);
      stats.released += 1;
      whole.fill(0xee);
      free.push(whole);
    },
  };
  return { reader, stats, outstanding: () => out.size };
};

describe('sendFile with a reader that reuses the pieces it gets back (property)', () => {
  it('arrives intact over a lossy network, and gets every piece back once, none of them early', async () => {
    await fc.assert(
      fc.asyncProperty(...lossyCase, (size, chunkSize, window, dropped, duplicated) =>
        overLossyNetwork(dropped, duplicated, async (tx, writer) => {
          const file = fileOf(size, size + 1);
          const { reader, stats, outstanding } = reusingReader(file);
          const sent = await lastValueFrom(
            sendFile(tx, 'uploads', reader, { filename: 'y.bin', chunkSize, window, timeout: 60_000 }),
          );
          expect(sent.done).toBeTrue();
          expect(writer.files.get('y.bin')).toEqual(file);
          await waitFor('every piece given back', () => outstanding() === 0);
          expect(stats).toEqual({
            yielded: Math.ceil(size / chunkSize),
            released: stats.yielded,
            strangers: 0,
          });
        }),
      ),
      { numRuns: 15 },
    );
  }, 120_000);

  it('gives back only the pieces it passed on unchanged, not those it cut or copied', async () => {
    const bus = memoryBroker();
    const rx = memoryTransport({ broker: bus, service: 'files' });
    const tx = memoryTransport({ broker: bus });
    const writer = memoryWriter();
    const receiving = receiveFiles(rx, 'uploads', { writer }).subscribe();
    const file = fileOf(4_500, 3);
    const released: Uint8Array[] = [];
    const yielded: Uint8Array[] = [];
    // pieces of 1 500 for chunks of 1 000: every chunk is cut from a piece or copied across two
    const reader: FileSourceReader = {
      size: file.length,
      read: async function* () {
        for (let at = 0; at < file.length; at += 1_500) {
          const piece = file.slice(at, at + 1_500);
          yielded.push(piece);
          yield piece;
        }
      },
      release: (piece) => void released.push(piece),
    };
    const sent = await lastValueFrom(
      sendFile(tx, 'uploads', reader, { filename: 'z.bin', chunkSize: 1_000 }),
    );
    expect(sent.done).toBeTrue();
    expect(writer.files.get('z.bin')).toEqual(file);
    expect(yielded.length).toBe(3);
    expect(released).toEqual([]);
    receiving.unsubscribe();
    await tx.close();
    await rx.close();
    await bus.close();
  });
});

describe('file/receiveFiles: unsubscribing mid-transfer', () => {
  it('releases the open sink (what it wrote kept for a resume), never aborts it', async () => {
    const broker = memoryBroker();
    const rx = memoryTransport({ broker, service: 'files' });
    const tx = memoryTransport({ broker });
    const clock = new VirtualTimeScheduler(VirtualAction, 0);
    const inner = memoryWriter();
    const calls: string[] = [];
    const writer: FileWriter = {
      open: async (info) => {
        const sink = await inner.open(info);
        return {
          ...sink,
          received: sink.received,
          abort: async () => {
            calls.push('abort');
            await sink.abort();
          },
          release: async () => {
            calls.push('release');
          },
        };
      },
    };
    const events: FileEvent[] = [];
    const receiving = receiveFiles(rx, 'uploads', { writer, scheduler: clock, timeout: TIMEOUT }).subscribe(
      (e) => events.push(e),
    );
    try {
      const file = fileOf(30, 1);
      const chunks = chunksOfFile('r1', file, 10);
      const frame = (f: Parameters<typeof encodeFileFrame>[0]) => encodeFileFrame(f, fileReplyTopic('r1'));
      await tx.publish(
        'uploads',
        frame({ kind: 'start', id: 'r1', name: 'r.bin', size: 30, chunkSize: 10, total: 3 }),
      );
      await tx.publish('uploads', frame(chunks[0] as FileChunk));
      await waitFor('the first chunk written', () => events.some((e) => e.type === 'chunk'));
    } finally {
      receiving.unsubscribe();
    }
    await waitFor('the sink released', () => calls.length > 0);
    expect(calls).toEqual(['release']);
    expect(events.map((e) => e.type)).not.toContain('failed');
    await Promise.all([rx.close(), tx.close()]);
  });
});
