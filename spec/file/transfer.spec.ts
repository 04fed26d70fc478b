import { lastValueFrom, toArray } from 'rxjs';
import { InvalidPathError, TimeoutError } from '../../src/errors.js';
import { ChunkTooLargeError, FileFrameError, FileRejectedError } from '../../src/file/errors.js';
import { memoryWriter } from '../../src/file/memoryWriter.js';
import { receiveFiles } from '../../src/file/receiveFiles.js';
import { sendFile } from '../../src/file/sendFile.js';
import { sha256Hex } from '../../src/file/sha256.js';
import type { FileEvent, FileProgress, FileWriter } from '../../src/file/types.js';
import { CHUNK_ENVELOPE_BYTES } from '../../src/file/wire.js';
import { memoryBroker } from '../../src/broker/memory/memoryBroker.js';
import { memoryTransport } from '../../src/transport/memoryTransport.js';
import type { Transport } from '../../src/transport/types.js';
import { waitFor } from '../helpers/wait.js';

const bytesOf = (n: number, seed = 1): Uint8Array<ArrayBuffer> =>
  Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed * 7) & 0xff);

/** Two nodes of one memory bus: a receiver collecting its events and a sender. */
const pair = (maxMessageBytes?: number) => {
  const broker = memoryBroker(maxMessageBytes === undefined ? {} : { maxMessageBytes });
  const receiver = memoryTransport({ broker, service: 'files' });
  const sender = memoryTransport({ broker });
  return {
    broker,
    receiver,
    sender,
    close: async () => {
      await sender.close();
      await receiver.close();
      await broker.close();
    },
  };
};

const receive = (transport: Transport, options: Partial<Parameters<typeof receiveFiles>[2]> = {}) => {
  const writer = memoryWriter();
  const events: FileEvent[] = [];
  const subscription = receiveFiles(transport, 'uploads', { writer, ...options }).subscribe((e) =>
    events.push(e),
  );
  return { writer, events, subscription };
};

describe('sendFile and receiveFiles over the memory transport', () => {
  it('sends bytes in chunks and the receiver assembles them, verified, under their name', async () => {
    const bus = pair();
    const { writer, events, subscription } = receive(bus.receiver);
    const file = bytesOf(100_000);
    const progress = await lastValueFrom(
      sendFile(bus.sender, 'uploads', file, { filename: 'a.bin', chunkSize: 1_000, window: 4 }).pipe(
        toArray(),
      ),
    );
    expect(writer.files.get('a.bin')).toEqual(file);
    const last = progress[progress.length - 1] as FileProgress;
    expect(last).toEqual(
      jasmine.objectContaining({
        done: true,
        bytesAcked: 100_000,
        chunksAcked: 100,
        totalChunks: 100,
        size: 100_000,
      }),
    );
    // never more than `window` chunks unacknowledged
    for (const p of progress) expect(p.chunksSent - p.chunksAcked).toBeLessThanOrEqual(4);
    const completed = events.find((e) => e.type === 'completed');
    expect(completed).toEqual(
      jasmine.objectContaining({ name: 'a.bin', size: 100_000, sha256: sha256Hex(file) }),
    );
    expect(events.filter((e) => e.type === 'chunk').length).toBe(100);
    subscription.unsubscribe();
    await bus.close();
  });

  it('sends a Blob and a ReadableStream', async () => {
    const bus = pair();
    const { writer, subscription } = receive(bus.receiver);
    const file = bytesOf(12_345, 3);
    await lastValueFrom(
      sendFile(bus.sender, 'uploads', new Blob([file]), { filename: 'blob.bin', chunkSize: 1_000 }),
    );
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < file.length; i += 777) controller.enqueue(file.slice(i, i + 777));
        controller.close();
      },
    });
    await lastValueFrom(
      sendFile(bus.sender, 'uploads', stream, { filename: 'stream.bin', chunkSize: 1_000 }),
    );
    expect(writer.files.get('blob.bin')).toEqual(file);
    expect(writer.files.get('stream.bin')).toEqual(file);
    subscription.unsubscribe();
    await bus.close();
  });

  it('sends an empty file', async () => {
    const bus = pair();
    const { writer, subscription } = receive(bus.receiver);
    await lastValueFrom(sendFile(bus.sender, 'uploads', new Uint8Array(), { filename: 'empty' }));
    expect(writer.files.get('empty')).toEqual(new Uint8Array());
    subscription.unsubscribe();
    await bus.close();
  });

  it('fails the sender with FileRejectedError when the receiver refuses the name, and writes nothing', async () => {
    const bus = pair();
    const { writer, events, subscription } = receive(bus.receiver);
    const error = await lastValueFrom(
      sendFile(bus.sender, 'uploads', bytesOf(10), { filename: '../evil' }),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FileRejectedError);
    expect((error as FileRejectedError).errorName).toBe('InvalidPathError');
    const failed = events.find((e) => e.type === 'failed');
    expect(failed?.type === 'failed' && failed.error).toBeInstanceOf(InvalidPathError);
    expect(writer.files.size).toBe(0);
    subscription.unsubscribe();
    await bus.close();
  });

  it('refuses a file over maxFileSize before anything is written', async () => {
    const bus = pair();
    const { writer, subscription } = receive(bus.receiver, { maxFileSize: 1_000 });
    const error = await lastValueFrom(
      sendFile(bus.sender, 'uploads', bytesOf(1_001), { filename: 'big' }),
    ).catch((e: unknown) => e);
    expect((error as FileRejectedError).errorName).toBe('FileTooLargeError');
    expect(writer.files.size).toBe(0);
    subscription.unsubscribe();
    await bus.close();
  });

  it('fails with ChunkTooLargeError when a chunk would not fit the server, before anything is sent', async () => {
    const bus = pair(10_000);
    const { events, subscription } = receive(bus.receiver);
    const error = await lastValueFrom(
      sendFile(bus.sender, 'uploads', bytesOf(50_000), { chunkSize: 10_000 - CHUNK_ENVELOPE_BYTES + 1 }),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ChunkTooLargeError);
    expect((error as ChunkTooLargeError).maxChunkSize).toBe(10_000 - CHUNK_ENVELOPE_BYTES);
    expect(events).toEqual([]);
    // the default chunk size is the largest that fits
    const progress = await lastValueFrom(sendFile(bus.sender, 'uploads', bytesOf(50_000), { filename: 'f' }));
    expect(progress.totalChunks).toBe(Math.ceil(50_000 / (10_000 - CHUNK_ENVELOPE_BYTES)));
    subscription.unsubscribe();
    await bus.close();
  });
  it('refuses a transfer past maxConcurrent and one past maxChunks, with the limit named', async () => {
    const bus = pair();
    const { writer, events, subscription } = receive(bus.receiver, { maxConcurrent: 1, maxChunks: 10 });
    const tooMany = await lastValueFrom(
      sendFile(bus.sender, 'uploads', bytesOf(11), { filename: 'many', chunkSize: 1 }),
    ).catch((e: unknown) => e);
    expect((tooMany as FileRejectedError).errorName).toBe('TransferLimitError');
    expect((tooMany as FileRejectedError).reason).toContain('11 chunks exceeds the limit of 10');
    // the first holds the only slot until it is done; the second, started meanwhile, is refused
    let cancelled = false;
    const slow = new ReadableStream<Uint8Array>({
      pull: () => new Promise<void>(() => undefined),
      cancel: () => {
        cancelled = true;
      },
    });
    const holding = sendFile(bus.sender, 'uploads', slow, { filename: 'slow' }).subscribe({
      error: () => undefined,
    });
    await waitFor('the slow transfer started', () => events.some((e) => e.type === 'started'));
    const second = await lastValueFrom(
      sendFile(bus.sender, 'uploads', bytesOf(5), { filename: 'second' }),
    ).catch((e: unknown) => e);
    expect((second as FileRejectedError).reason).toContain('concurrent transfers exceeds the limit of 1');
    expect(writer.files.size).toBe(0);
    // unsubscribing cancels a stream source, even one whose read never ends
    holding.unsubscribe();
    await waitFor('the stream cancelled', () => cancelled);
    subscription.unsubscribe();
    await bus.close();
  });

  it('fails with a TimeoutError when no receiver answers, after maxStalls timeouts', async () => {
    const bus = pair();
    const error = await lastValueFrom(
      sendFile(bus.sender, 'nobody', bytesOf(10), { timeout: 20, maxStalls: 2 }),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as TimeoutError).operation).toContain('no word from a receiver');
    await bus.close();
  });

  it('dead-letters a frame that is not one and reports it as invalid', async () => {
    const bus = pair();
    const { events, subscription } = receive(bus.receiver);
    await bus.sender.publish('uploads', { type: 'stream', body: { file: 'nope' } });
    await new Promise<void>((resolve) => {
      const check = (): void => (events.length > 0 ? resolve() : void setTimeout(check, 5));
      check();
    });
    expect(events[0]?.type).toBe('invalid');
    expect(events[0]?.type === 'invalid' && events[0].error).toBeInstanceOf(FileFrameError);
    const dead = bus.broker.stats().topics.find((t) => t.name === 'uploads.dead');
    expect(dead?.messageCount).toBe(1);
    subscription.unsubscribe();
    await bus.close();
  });
  it('skips the chunks a resuming receiver already has: only the others are sent', async () => {
    const bus = pair();
    const file = bytesOf(10_000, 9);
    const inner = memoryWriter();
    // a writer that had chunks 0 and 2 before a restart
    const writer: FileWriter = {
      open: async (info) => {
        const sink = await inner.open(info);
        await sink.write(0, 0, file.subarray(0, 1_000));
        await sink.write(2, 2_000, file.subarray(2_000, 3_000));
        return { ...sink, received: [0, 2] };
      },
    };
    const events: FileEvent[] = [];
    const subscription = receiveFiles(bus.receiver, 'uploads', { writer }).subscribe((e) => events.push(e));
    const last = await lastValueFrom(
      sendFile(bus.sender, 'uploads', file, { filename: 'r.bin', chunkSize: 1_000, fileId: 'again' }),
    );
    expect(last).toEqual(
      jasmine.objectContaining({ done: true, chunksSent: 8, chunksAcked: 10, bytesAcked: 10_000 }),
    );
    expect(events.find((e) => e.type === 'started')).toEqual(jasmine.objectContaining({ resumed: 2 }));
    expect(
      events
        .filter((e) => e.type === 'chunk')
        .map((e) => (e.type === 'chunk' ? e.index : -1))
        .sort((a, b) => a - b),
    ).toEqual([1, 3, 4, 5, 6, 7, 8, 9]);
    expect(inner.files.get('r.bin')).toEqual(file);
    subscription.unsubscribe();
    await bus.close();
  });
});
