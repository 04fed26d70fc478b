/**
 * File transfer over a real nsqd (issue 11): hostile names, two transfers at
 * once, 200 MiB with the receiver's memory measured in its own process
 * (fixtures/fileReceiver.ts), and a resume after the receiver is killed.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, mkdtemp, open, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lastValueFrom } from 'rxjs';
import { FileRejectedError } from '../../src/file/errors';
import { sendFile } from '../../src/file/sendFile';
import type { FileEvent } from '../../src/file/types';
import { receiveFilesToDir, sendLocalFile } from '../../src/node/files';
import { nsqTransport } from '../../src/transport/nsqTransport';
import type { Transport } from '../../src/transport/types';
import { HOSTILE_NAMES } from '../helpers/hostileNames';
import { forkFixture, exited, killChildren } from '../helpers/children';
import { describeNsq } from '../helpers/nsq';
import type { ReceiverMessage } from './fixtures/fileReceiver';

const MiB = 1024 * 1024;

/** Writes `mib` MiB of random bytes to `path`, a MiB at a time; resolves to their sha256. */
const randomFile = async (path: string, mib: number): Promise<string> => {
  const hash = createHash('sha256');
  const handle = await open(path, 'w');
  try {
    for (let i = 0; i < mib; i++) {
      const block = randomBytes(MiB);
      hash.update(block);
      await handle.write(block);
    }
  } finally {
    await handle.close();
  }
  return hash.digest('hex');
};

const sha256OfFile = async (path: string): Promise<string> => {
  const hash = createHash('sha256');
  for await (const piece of createReadStream(path)) hash.update(piece as Buffer);
  return hash.digest('hex');
};

describeNsq('file transfer over nsq', (servers) => {
  let root: string;
  let dir: string;
  let topic: string;
  let specs = 0;
  const transports: Transport[] = [];

  const transport = (service = 'files'): Transport => {
    const t = nsqTransport({ nsqd: servers().nsqdTcp, nsqdHttp: [servers().nsqdHttp], service });
    transports.push(t);
    return t;
  };

  /** Receives `topic` into `dir` in this process; resolves once consuming. */
  const receiveHere = async (events: FileEvent[]) => {
    let ready: () => void = () => undefined;
    const registered = new Promise<void>((resolve) => (ready = resolve));
    const subscription = receiveFilesToDir(transport(), topic, { dir, onReady: () => ready() }).subscribe(
      (e) => events.push(e),
    );
    await registered;
    return subscription;
  };

  /** Forks a receiver process; resolves with it and its messages once it consumes. */
  const receiverProcess = (timeoutMs: number) => {
    const child = forkFixture('fileReceiver', [
      servers().nsqdTcp,
      servers().nsqdHttp,
      topic,
      dir,
      String(timeoutMs),
    ]);
    const messages: ReceiverMessage[] = [];
    const waiters: { check: (m: ReceiverMessage) => boolean; resolve: (m: ReceiverMessage) => void }[] = [];
    child.on('message', (message: ReceiverMessage) => {
      messages.push(message);
      for (const waiter of [...waiters]) {
        if (waiter.check(message)) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve(message);
        }
      }
    });
    const next = <T extends ReceiverMessage['type']>(
      type: T,
      check: (m: Extract<ReceiverMessage, { type: T }>) => boolean = () => true,
    ) =>
      new Promise<Extract<ReceiverMessage, { type: T }>>((resolve, reject) => {
        const found = messages.find(
          (m) => m.type === type && check(m as Extract<ReceiverMessage, { type: T }>),
        );
        if (found) return resolve(found as Extract<ReceiverMessage, { type: T }>);
        waiters.push({
          check: (m) => m.type === type && check(m as Extract<ReceiverMessage, { type: T }>),
          resolve: (m) => resolve(m as Extract<ReceiverMessage, { type: T }>),
        });
        child.once('exit', (code, signal) =>
          reject(new Error(`the receiver exited (${code ?? signal}) before ${type}`)),
        );
      });
    return { child, messages, next };
  };

  beforeEach(async () => {
    specs += 1;
    topic = `files.t${specs}.${process.pid}`;
    root = await mkdtemp(join(tmpdir(), 'rxmini-nsq-files-'));
    dir = join(root, 'inbox');
    await mkdir(dir);
    await writeFile(join(root, 'outside.txt'), 'untouched');
  });

  afterEach(async () => {
    await killChildren();
    await Promise.all(transports.splice(0).map((t) => t.close()));
    await rm(root, { recursive: true, force: true });
  }, 30_000);

  it(`rejects ${HOSTILE_NAMES.length} hostile names and nothing appears outside dir (or in it)`, async () => {
    const events: FileEvent[] = [];
    const receiving = await receiveHere(events);
    const sender = transport('sender');
    expect(HOSTILE_NAMES.length).toBeGreaterThanOrEqual(20);
    for (const name of HOSTILE_NAMES) {
      const error = await lastValueFrom(
        sendFile(sender, topic, new TextEncoder().encode('payload'), { filename: name, timeout: 10_000 }),
      ).catch((e: unknown) => e);
      expect(error).withContext(JSON.stringify(name)).toBeInstanceOf(FileRejectedError);
      expect((error as FileRejectedError).errorName).toBe('InvalidPathError');
    }
    expect(events.filter((e) => e.type === 'failed').length).toBe(HOSTILE_NAMES.length);
    expect(await readdir(dir)).toEqual([]);
    expect((await readdir(root)).sort()).toEqual(['inbox', 'outside.txt']);
    expect(await readFile(join(root, 'outside.txt'), 'utf8')).toBe('untouched');
    receiving.unsubscribe();
  }, 60_000);

  it('receives two transfers at once, both intact', async () => {
    const events: FileEvent[] = [];
    const receiving = await receiveHere(events);
    const [a, b] = [join(root, 'a.bin'), join(root, 'b.bin')];
    const [shaA, shaB] = await Promise.all([randomFile(a, 6), randomFile(b, 5)]);
    const [left, right] = [transport('sender-a'), transport('sender-b')];
    const [doneA, doneB] = await Promise.all([
      lastValueFrom(sendLocalFile(left, topic, a, { window: 4 })),
      lastValueFrom(sendLocalFile(right, topic, b, { window: 4 })),
    ]);
    expect([doneA.done, doneB.done]).toEqual([true, true]);
    expect(await sha256OfFile(join(dir, 'a.bin'))).toBe(shaA);
    expect(await sha256OfFile(join(dir, 'b.bin'))).toBe(shaB);
    // they were assembled side by side: b started before a completed
    const order = events.flatMap((e) =>
      e.type === 'started' || e.type === 'completed'
        ? [`${e.type}:${e.type === 'started' ? e.name : e.name}`]
        : [],
    );
    expect(order.indexOf('started:b.bin')).toBeLessThan(order.indexOf('completed:a.bin'));
    expect((await readdir(dir)).sort()).toEqual(['a.bin', 'b.bin']);
    receiving.unsubscribe();
  }, 120_000);

  it('sends 200 MiB: equal sha256, and the receiver process grows by less than 64 MiB', async () => {
    const source = join(root, 'big.bin');
    const sha = await randomFile(source, 200);
    const receiver = receiverProcess(30_000);
    const ready = await receiver.next('ready');
    const sent = await lastValueFrom(sendLocalFile(transport('sender'), topic, source));
    const completed = await receiver.next('completed');
    expect(sent.done).toBeTrue();
    expect(sent.totalChunks).toBe(Math.ceil((200 * MiB) / (MiB - 512)));
    expect(completed.sha256).toBe(sha);
    expect(await sha256OfFile(join(dir, 'big.bin'))).toBe(sha);
    const growth = completed.peakRss - ready.rss;
    expect(growth)
      .withContext(
        `receiver RSS ${(ready.rss / MiB).toFixed(1)} → peak ${(completed.peakRss / MiB).toFixed(1)} MiB`,
      )
      .toBeLessThan(64 * MiB);
  }, 300_000);

  it('resumes after the receiver process is killed and restarted: the file arrives intact', async () => {
    const source = join(root, 'resume.bin');
    const sha = await randomFile(source, 40);
    const first = receiverProcess(2_000);
    await first.next('ready');
    const sending = lastValueFrom(
      sendLocalFile(transport('sender'), topic, source, { window: 4, timeout: 2_000, maxStalls: 30 }),
    );
    await first.next('chunk', (m) => m.count >= 10);
    first.child.kill('SIGKILL');
    await exited(first.child);

    const second = receiverProcess(2_000);
    const resumed = await second.next('started');
    const completed = await second.next('completed');
    const sent = await sending;
    expect(resumed.resumed).toBeGreaterThanOrEqual(10);
    expect(completed.sha256).toBe(sha);
    expect(sent.done).toBeTrue();
    expect(await sha256OfFile(join(dir, 'resume.bin'))).toBe(sha);
    expect(await readdir(dir)).toEqual(['resume.bin']);
  }, 180_000);
});
