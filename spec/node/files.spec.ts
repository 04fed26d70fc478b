import { mkdtemp, mkdir, open as fsOpen, readFile, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { lastValueFrom } from 'rxjs';
import { memoryBroker } from '../../src/broker/memory/memoryBroker.js';
import { InvalidPathError } from '../../src/errors.js';
import { FileRejectedError } from '../../src/file/errors.js';
import { sendFile } from '../../src/file/sendFile.js';
import type { FileEvent, FileInfo } from '../../src/file/types.js';
import { diskWriter } from '../../src/node/diskWriter.js';
import { nodeSha256, pathSource } from '../../src/node/fileSources.js';
import { receiveFilesToDir, sendLocalFile } from '../../src/node/files.js';
import { memoryTransport } from '../../src/transport/memoryTransport.js';
import { HOSTILE_NAMES } from '../helpers/hostileNames.js';

const bytesOf = (n: number, seed = 1): Uint8Array =>
  Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed * 7 + (i >> 10)) & 0xff);

describe('files on disk (rxmini/node)', () => {
  let root: string;
  let dir: string;
  let outside: string;

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'rxmini-files-'));
    dir = join(root, 'inbox');
    outside = join(root, 'outside.txt');
    await mkdir(dir);
    await writeFile(outside, 'untouched');
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  const bus = () => {
    const broker = memoryBroker({ maxMessageBytes: 64 * 1024 });
    const receiver = memoryTransport({ broker, service: 'files' });
    const sender = memoryTransport({ broker });
    return {
      receiver,
      sender,
      close: async () => {
        await sender.close();
        await receiver.close();
        await broker.close();
      },
    };
  };

  it('sends a path and receives it into dir: same bytes, no temp files left, the location inside dir', async () => {
    const b = bus();
    const events: FileEvent[] = [];
    const sub = receiveFilesToDir(b.receiver, 'uploads', { dir }).subscribe((e) => events.push(e));
    const file = bytesOf(300_000);
    const source = join(root, 'source.bin');
    await writeFile(source, file);
    const last = await lastValueFrom(sendLocalFile(b.sender, 'uploads', source, { window: 4 }));
    expect(last.done).toBeTrue();
    expect(new Uint8Array(await readFile(join(dir, 'source.bin')))).toEqual(file);
    expect(await readdir(dir)).toEqual(['source.bin']);
    const completed = events.find((e) => e.type === 'completed');
    expect(completed?.type === 'completed' && completed.location).toBe(join(dir, 'source.bin'));
    expect(completed?.type === 'completed' && completed.sha256).toBe(
      createHash('sha256').update(file).digest('hex'),
    );
    sub.unsubscribe();
    await b.close();
  });

  const piecesOf = async (iterable: AsyncIterable<Uint8Array>, most = Infinity): Promise<Uint8Array[]> => {
    const pieces: Uint8Array[] = [];
    for await (const piece of iterable) {
      pieces.push(piece);
      if (pieces.length >= most) break;
    }
    return pieces;
  };

  it('reads a path in pieces of exactly the size asked for, the last one shorter, 1 MiB when not told', async () => {
    const file = bytesOf(2_500_000, 3);
    const source = join(root, 'pieces.bin');
    await writeFile(source, file);
    const reader = await pathSource(source);
    expect(reader.size).toBe(2_500_000);
    const pieces = await piecesOf(reader.read(1_000_000));
    expect(pieces.map((p) => p.length)).toEqual([1_000_000, 1_000_000, 500_000]);
    expect(new Uint8Array(Buffer.concat(pieces))).toEqual(file);
    const defaults = await piecesOf((await pathSource(source)).read());
    expect(defaults.map((p) => p.length)).toEqual([1_048_576, 1_048_576, 2_500_000 - 2 * 1_048_576]);
    // each piece is its own memory: a later read does not overwrite an earlier piece
    expect(new Set(pieces.map((p) => p.buffer)).size).toBe(3);
    const text = await piecesOf((await pathSource(join(root, 'outside.txt'))).read(4));
    expect(text.map((p) => Buffer.from(p).toString())).toEqual(['unto', 'uche', 'd']);
  });

  it('reads a later piece of a path into a piece given back with release, and only into its own pieces', async () => {
    const file = bytesOf(35_000, 5);
    const source = join(root, 'reuse.bin');
    await writeFile(source, file);
    const reader = await pathSource(source);
    const pieces: Uint8Array[] = [];
    const copies: Uint8Array[] = [];
    const foreign = new Uint8Array(10_000);
    for await (const piece of reader.read(10_000)) {
      pieces.push(piece);
      copies.push(Uint8Array.from(piece));
      // not its own, or given back twice: ignored
      reader.release?.(foreign);
      if (pieces.length === 1) reader.release?.(piece);
      if (pieces.length === 1) reader.release?.(piece);
    }
    expect(new Uint8Array(Buffer.concat(copies))).toEqual(file);
    expect(pieces.map((p) => p.length)).toEqual([10_000, 10_000, 10_000, 5_000]);
    // the first piece was given back while the second was read ahead: the third reuses its memory, once
    expect(pieces[2]?.buffer).toBe(pieces[0]?.buffer);
    expect(new Set(pieces.map((p) => p.buffer)).size).toBe(3);
    expect(foreign.every((b) => b === 0)).toBeTrue();
  });

  it('stops reading a path when cancelled, and reads an empty file as no pieces', async () => {
    const source = join(root, 'cancel.bin');
    await writeFile(source, bytesOf(50_000, 4));
    const reader = await pathSource(source);
    const pieces: Uint8Array[] = [];
    for await (const piece of reader.read(10_000)) {
      pieces.push(piece);
      reader.cancel?.();
    }
    expect(pieces.length).toBe(1);
    const empty = join(root, 'empty.bin');
    await writeFile(empty, new Uint8Array());
    expect(await piecesOf((await pathSource(empty)).read(10))).toEqual([]);
    await expectAsync(pathSource(root)).toBeRejectedWithError(/not a regular file/);
  });

  it('sends a Node Readable of unknown size', async () => {
    const b = bus();
    const sub = receiveFilesToDir(b.receiver, 'uploads', { dir }).subscribe();
    const file = bytesOf(100_000, 2);
    const pieces = Array.from({ length: 10 }, (_, i) => file.slice(i * 10_000, (i + 1) * 10_000));
    await lastValueFrom(sendLocalFile(b.sender, 'uploads', Readable.from(pieces), { filename: 'r.bin' }));
    expect(new Uint8Array(await readFile(join(dir, 'r.bin')))).toEqual(file);
    sub.unsubscribe();
    await b.close();
  });

  it(`rejects all ${HOSTILE_NAMES.length} hostile names and writes nothing, inside dir or out`, async () => {
    const b = bus();
    const events: FileEvent[] = [];
    const sub = receiveFilesToDir(b.receiver, 'uploads', { dir }).subscribe((e) => events.push(e));
    for (const name of HOSTILE_NAMES) {
      const error = await lastValueFrom(sendFile(b.sender, 'uploads', bytesOf(10), { filename: name })).catch(
        (e: unknown) => e,
      );
      expect(error).withContext(JSON.stringify(name)).toBeInstanceOf(FileRejectedError);
      expect((error as FileRejectedError).errorName).toBe('InvalidPathError');
    }
    expect(events.filter((e) => e.type === 'failed').length).toBe(HOSTILE_NAMES.length);
    expect(await readdir(dir)).toEqual([]);
    expect((await readdir(root)).sort()).toEqual(['inbox', 'outside.txt']);
    expect(await readFile(outside, 'utf8')).toBe('untouched');
    sub.unsubscribe();
    await b.close();
  });

  it('never writes through a symlink already in dir: refused without overwrite, the link itself replaced with it', async () => {
    await symlink(outside, join(dir, 'link.txt'));
    const b = bus();
    const sub = receiveFilesToDir(b.receiver, 'uploads', { dir }).subscribe();
    const error = await lastValueFrom(
      sendFile(b.sender, 'uploads', bytesOf(10), { filename: 'link.txt' }),
    ).catch((e: unknown) => e);
    expect((error as FileRejectedError).errorName).toBe('InvalidPathError');
    expect(await readFile(outside, 'utf8')).toBe('untouched');
    sub.unsubscribe();

    const replacing = receiveFilesToDir(b.receiver, 'uploads', { dir, overwrite: true }).subscribe();
    await lastValueFrom(
      sendFile(b.sender, 'uploads', new TextEncoder().encode('new'), { filename: 'link.txt' }),
    );
    expect(await readFile(outside, 'utf8')).toBe('untouched');
    expect(await readFile(join(dir, 'link.txt'), 'utf8')).toBe('new');
    replacing.unsubscribe();
    await b.close();
  });

  it('does not follow a symlink planted where its temp file goes', async () => {
    await symlink(outside, join(dir, '.rxmini-planted.part'));
    const b = bus();
    const sub = receiveFilesToDir(b.receiver, 'uploads', { dir }).subscribe();
    await lastValueFrom(
      sendFile(b.sender, 'uploads', bytesOf(1_000), { filename: 'ok.bin', fileId: 'planted' }),
    );
    expect(await readFile(outside, 'utf8')).toBe('untouched');
    expect(new Uint8Array(await readFile(join(dir, 'ok.bin')))).toEqual(bytesOf(1_000));
    sub.unsubscribe();
    await b.close();
  });

  it('does not follow symlinks planted where its index and saved info go', async () => {
    await symlink(outside, join(dir, '.rxmini-planted2.idx'));
    await symlink(outside, join(dir, '.rxmini-planted2.json'));
    const sink = await diskWriter({ dir }).open({
      fileId: 'planted2',
      name: 'p.txt',
      size: 3,
      chunkSize: 3,
      total: 1,
    });
    await sink.write(0, 0, new TextEncoder().encode('abc'));
    await sink.commit(3);
    expect(await readFile(outside, 'utf8')).toBe('untouched');
    expect(await readdir(dir)).toEqual(['p.txt']);
  });

  it('resolves dir through a symlink and writes in the real directory', async () => {
    const alias = join(root, 'alias');
    await symlink(dir, alias);
    const writer = diskWriter({ dir: alias });
    const sink = await writer.open({ fileId: 'f1', name: 'a.txt', size: 3, chunkSize: 3, total: 1 });
    await sink.write(0, 0, new TextEncoder().encode('abc'));
    expect(await sink.commit(3)).toBe(join(dir, 'a.txt'));
  });

  it('flushes a large temp file in the background every 32 MiB written (with fsync), and once more at the commit', async () => {
    const probe = await fsOpen(outside, 'r');
    const handleProto = Object.getPrototypeOf(probe) as { datasync: () => Promise<void> };
    await probe.close();
    const datasync = spyOn(handleProto, 'datasync').and.callThrough();
    const MiB = 1024 * 1024;
    const piece = bytesOf(MiB, 8);
    const total = 40;
    const writeAll = async (fsync: boolean, fileId: string) => {
      const sink = await diskWriter({ dir, fsync }).open({
        fileId,
        name: `${fileId}.bin`,
        size: total * MiB,
        chunkSize: MiB,
        total,
      });
      for (let i = 0; i < total; i++) await sink.write(i, i * MiB, piece);
      return sink;
    };
    const flushed = await writeAll(true, 'flushed');
    // the 32nd MiB started one flush; none waited for by a write
    expect(datasync).toHaveBeenCalledTimes(1);
    expect(await flushed.commit(total * MiB)).toBe(join(dir, 'flushed.bin'));
    expect(datasync).toHaveBeenCalledTimes(2);
    datasync.calls.reset();
    const unflushed = await writeAll(false, 'unflushed');
    await unflushed.commit(total * MiB);
    expect(datasync).not.toHaveBeenCalled();
    // given up while its background flush may still run: closed cleanly, nothing left
    const aborted = await writeAll(true, 'aborted');
    await aborted.abort();
    expect((await readdir(dir)).sort()).toEqual(['flushed.bin', 'unflushed.bin']);
  });

  it('hashes the whole file as written, whatever the order: in order, out of order, a chunk rewritten inside the hashed prefix', async () => {
    const file = bytesOf(50, 6);
    const expected = nodeSha256().update(file).digest();
    const open = (fileId: string) =>
      diskWriter({ dir }).open({ fileId, name: `${fileId}.bin`, size: 50, chunkSize: 10, total: 5 });
    const chunk = (i: number): Uint8Array => file.subarray(i * 10, i * 10 + 10);
    const inOrder = await open('h1');
    await Promise.all([0, 1, 2, 3, 4].map((i) => inOrder.write(i, i * 10, chunk(i))));
    expect(await inOrder.sha256(50)).toBe(expected);
    // asked again: the same answer (the bytes read back this time)
    expect(await inOrder.sha256(50)).toBe(expected);
    const shuffled = await open('h2');
    for (const i of [0, 3, 1, 4, 2]) await shuffled.write(i, i * 10, chunk(i));
    expect(await shuffled.sha256(50)).toBe(expected);
    const rewritten = await open('h3');
    await rewritten.write(0, 0, new Uint8Array(10).fill(9));
    await rewritten.write(1, 10, chunk(1));
    // chunk 0 again, with its real bytes: the prefix fed with the wrong ones is dropped
    await rewritten.write(0, 0, chunk(0));
    for (const i of [2, 3, 4]) await rewritten.write(i, i * 10, chunk(i));
    expect(await rewritten.sha256(50)).toBe(expected);
    // a file whose chunks go past the size it is hashed for: only the first bytes count
    const longer = await open('h4');
    for (const i of [0, 1, 2, 3, 4]) await longer.write(i, i * 10, chunk(i));
    expect(await longer.sha256(30)).toBe(nodeSha256().update(file.subarray(0, 30)).digest());
    await Promise.all([inOrder, shuffled, rewritten, longer].map((sink) => sink.abort()));
  });

  it('resumes after a restart: a second writer for the same file has the chunks the first wrote', async () => {
    const info: FileInfo = { fileId: 'f2', name: 'resume.bin', size: 30, chunkSize: 10, total: 3 };
    const file = bytesOf(30, 5);
    const first = await diskWriter({ dir }).open(info);
    expect(first.received).toEqual([]);
    await first.write(2, 20, file.subarray(20));
    await first.write(0, 0, file.subarray(0, 10));
    // the process dies here: its handles go (release), what it wrote stays, nothing committed
    await first.release?.();
    const second = await diskWriter({ dir }).open(info);
    expect([...second.received].sort()).toEqual([0, 2]);
    await second.write(1, 10, file.subarray(10, 20));
    expect(await second.sha256(30)).toBe(nodeSha256().update(file).digest());
    await second.commit(30);
    expect(new Uint8Array(await readFile(join(dir, 'resume.bin')))).toEqual(file);
    expect(await readdir(dir)).toEqual(['resume.bin']);
  });

  it('starts over when the saved transfer is for another file, and abort leaves nothing', async () => {
    const first = await diskWriter({ dir }).open({
      fileId: 'f3',
      name: 'a',
      size: 20,
      chunkSize: 10,
      total: 2,
    });
    await first.write(0, 0, bytesOf(10));
    await first.release?.();
    const other = await diskWriter({ dir }).open({
      fileId: 'f3',
      name: 'b',
      size: 20,
      chunkSize: 10,
      total: 2,
    });
    expect(other.received).toEqual([]);
    await other.abort();
    expect(await readdir(dir)).toEqual([]);
  });

  it('refuses a hostile name itself, whoever calls it', async () => {
    await expectAsync(
      diskWriter({ dir }).open({ fileId: 'f4', name: '../x', size: 1, chunkSize: 1, total: 1 }),
    ).toBeRejectedWithError(InvalidPathError);
    expect(await readdir(dir)).toEqual([]);
  });
});
