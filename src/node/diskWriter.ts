/**
 * The disk writer of a file transfer: chunks written at their offset into a
 * temp file inside `dir`, renamed (linked) into place once verified.
 *
 * @packageDocumentation
 */
import { constants } from 'node:fs';
import { link, open, realpath, rename, rm, unlink, type FileHandle } from 'node:fs/promises';
import { dirname, join, sep } from 'node:path';
import { isLeft } from 'fp-ts/lib/Either.js';
import { InvalidPathError } from '../errors.js';
import { checkFileName } from '../file/names.js';
import type { HasherFactory } from '../file/sha256.js';
import type { FileInfo, FileSink, FileWriter } from '../file/types.js';
import { nodeSha256 } from './fileSources.js';

/** Options of {@link diskWriter}. */
export interface DiskWriterOptions {
  /** The directory files are written in: nothing is ever written outside it. */
  readonly dir: string;
  /** Replace a file of the same name; default false (the transfer fails with `InvalidPathError`). */
  readonly overwrite?: boolean;
  /** Flush the file to disk before it is renamed into place; default true. */
  readonly fsync?: boolean;
  /** SHA-256 for the assembled file; default {@link nodeSha256}. */
  readonly hasher?: HasherFactory;
}

const FILE_ID = /^[A-Za-z0-9_-]{1,64}$/;
const READ_BYTES = 1024 * 1024;
/**
 * With `fsync`, a temp file is flushed in the background each time this many
 * bytes were written since the last flush began, so that the flush before the
 * commit has only the tail left to write.
 */
const FLUSH_EVERY_BYTES = 32 * 1024 * 1024;

/** The prefix of the writer's own files in `dir` (a sender's name may not start with a dot). */
const TEMP_PREFIX = '.rxmini-';

const errno = (error: unknown): string | undefined => (error as NodeJS.ErrnoException | undefined)?.code;

/** The text of `path`, refusing a symlink there. */
const readNoFollow = async (path: string): Promise<string> => {
  const file = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    return await file.readFile('utf8');
  } finally {
    await file.close();
  }
};

/** A new file at `path` (whatever was there removed first, a symlink itself), never followed through a link. */
const createNoFollow = async (path: string, flags: number): Promise<FileHandle> => {
  await rm(path, { force: true });
  return open(path, flags | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
};

/** What the writer keeps beside a temp file, to resume it after a restart. */
interface SavedInfo {
  readonly name: string;
  readonly size: number | null;
  readonly chunkSize: number;
  readonly total: number | null;
}

const sameFile = (saved: SavedInfo, info: FileInfo): boolean =>
  saved.name === info.name &&
  saved.size === info.size &&
  saved.chunkSize === info.chunkSize &&
  saved.total === info.total;

/** `path` resolved through symlinks is `dir` itself or inside it. */
const inside = (realDir: string, path: string): boolean => path === realDir || path.startsWith(realDir + sep);

/**
 * A {@link FileWriter} onto the disk, confined to `dir`.
 *
 * - The name is checked again ({@link checkFileName}), and the final path is
 *   `dir`'s real path (symlinks resolved) joined with it; after the commit the
 *   file's real path is checked to be inside `dir`.
 * - Chunks go to `<dir>/.rxmini-<fileId>.part` at their offset, opened with
 *   `O_NOFOLLOW` (a symlink planted there is refused), and each written chunk
 *   is appended to `.rxmini-<fileId>.idx`, so that a receiver restarted after
 *   a crash resumes the transfer with the chunks it has (`received`).
 * - The whole file's SHA-256 is fed with the chunks written in order as they
 *   are written; `sha256` reads back only what came after a chunk that was
 *   out of order (all of it after a restart).
 * - With `fsync`, the temp file is flushed in the background every 32 MiB
 *   written (never awaited by a write), so that the commit waits only for the
 *   tail.
 * - Commit: fsync, then a hard link to the final name — which fails rather
 *   than replace a file or follow a symlink already there — and the temp files
 *   removed; with `overwrite`, an atomic `rename` (which replaces a symlink
 *   itself, never its target).
 *
 * @example
 * ```ts
 * import { receiveFiles } from 'rxmini';
 * import { diskWriter } from 'rxmini/node';
 * receiveFiles(bus, 'uploads', { writer: diskWriter({ dir: '/srv/uploads' }) }).subscribe((event) => {
 *   if (event.type === 'completed') log.info('stored', { path: event.location });
 * });
 * ```
 */
export const diskWriter = (options: DiskWriterOptions): FileWriter => {
  const hasher = options.hasher ?? nodeSha256;
  const fsync = options.fsync ?? true;
  return {
    open: async (info: FileInfo): Promise<FileSink> => {
      const name = checkFileName(info.name);
      if (isLeft(name)) throw name.left;
      if (!FILE_ID.test(info.fileId)) throw new InvalidPathError(info.fileId, { reason: 'not a file id' });
      const realDir = await realpath(options.dir);
      const target = join(realDir, name.right);
      if (dirname(target) !== realDir)
        throw new InvalidPathError(info.name, { reason: 'resolves outside dir' });
      const base = join(realDir, `${TEMP_PREFIX}${info.fileId}`);
      const temp = `${base}.part`;
      const infoPath = `${base}.json`;
      const indexPath = `${base}.idx`;
      const saved: SavedInfo = {
        name: info.name,
        size: info.size,
        chunkSize: info.chunkSize,
        total: info.total,
      };

      let received: number[] = [];
      let handle: FileHandle | undefined;
      let index: FileHandle | undefined;
      try {
        const previous = JSON.parse(await readNoFollow(infoPath)) as SavedInfo;
        if (sameFile(previous, info)) {
          handle = await open(temp, constants.O_RDWR | constants.O_NOFOLLOW);
          const lines = (await readNoFollow(indexPath)).split('\n');
          received = [...new Set(lines.filter((l) => /^\d+$/.test(l)).map(Number))];
          index = await open(indexPath, constants.O_WRONLY | constants.O_APPEND | constants.O_NOFOLLOW);
        }
      } catch {
        // nothing to resume (or it is unreadable): start over
        await handle?.close();
        await index?.close();
        handle = undefined;
        index = undefined;
        received = [];
      }
      if (!handle || !index) {
        // every file of the writer's is created anew, never through a link planted in its place
        handle = await createNoFollow(temp, constants.O_RDWR);
        const infoFile = await createNoFollow(infoPath, constants.O_WRONLY);
        try {
          await infoFile.writeFile(JSON.stringify(saved));
        } finally {
          await infoFile.close();
        }
        index = await createNoFollow(indexPath, constants.O_WRONLY | constants.O_APPEND);
      }
      const fh = handle;
      const indexFile = index;
      /** Appends to the index go one after the other. */
      let indexing: Promise<void> = Promise.resolve();
      /** Index lines asked for and not yet in an append: the next append takes them all. */
      let unindexed = '';
      let closed = false;
      /** Bytes written since the last background flush began. */
      let unflushed = 0;
      /** The background flush in progress, if any. */
      let flushing: Promise<void> | undefined;
      const flushInBackground = (): void => {
        if (!fsync || closed || flushing || unflushed < FLUSH_EVERY_BYTES) return;
        unflushed = 0;
        // a failure shows again in the commit's own datasync, which is awaited
        const flush = fh.datasync().catch(() => undefined);
        flushing = flush;
        void flush.then(() => {
          if (flushing === flush) flushing = undefined;
        });
      };
      /**
       * The file's SHA-256 over its first `hashed` bytes, fed with each chunk
       * written where that prefix ends (chunks mostly come in order), so that
       * `sha256` reads back only what came out of order; never ahead of what
       * was asked to be written, and started over when a write fails or lands
       * inside the prefix.
       */
      let prefix = hasher();
      let hashed = 0;
      const restartPrefix = (): void => {
        prefix = hasher();
        hashed = 0;
      };

      const cleanup = async (): Promise<void> => {
        await Promise.all([rm(indexPath, { force: true }), rm(infoPath, { force: true })]);
      };
      const close = async (): Promise<void> => {
        if (closed) return;
        closed = true;
        await indexing.catch(() => undefined);
        await flushing;
        await Promise.all([fh.close(), indexFile.close()]);
      };

      return {
        received,
        write: async (index, offset, bytes) => {
          // hashed in the order writes are asked for, before the write ends
          const extendsPrefix = offset === hashed && bytes.length > 0;
          if (extendsPrefix) {
            prefix.update(bytes);
            hashed += bytes.length;
          } else if (offset < hashed) restartPrefix();
          try {
            let at = 0;
            while (at < bytes.length) {
              const { bytesWritten } = await fh.write(bytes, at, bytes.length - at, offset + at);
              at += bytesWritten;
            }
          } catch (error) {
            // the prefix may say bytes the file does not have
            restartPrefix();
            throw error;
          }
          unflushed += bytes.length;
          flushInBackground();
          unindexed += `${index}\n`;
          // one append carries every line asked for before it starts; the later links find none left
          indexing = indexing.then(() => {
            if (unindexed === '') return undefined;
            const lines = unindexed;
            unindexed = '';
            return indexFile.appendFile(lines);
          });
          await indexing;
        },
        sha256: async (size) => {
          if (hashed > size) restartPrefix();
          const hash = prefix;
          const buffer = new Uint8Array(READ_BYTES);
          for (let position = hashed; position < size;) {
            const { bytesRead } = await fh.read(buffer, 0, Math.min(READ_BYTES, size - position), position);
            if (bytesRead === 0) break;
            hash.update(buffer.subarray(0, bytesRead));
            position += bytesRead;
          }
          // a digest spends the hasher: a later call reads the whole file
          restartPrefix();
          return hash.digest();
        },
        commit: async (size) => {
          await fh.truncate(size);
          await flushing;
          if (fsync) await fh.datasync();
          await close();
          if (options.overwrite === true) {
            await rename(temp, target);
          } else {
            try {
              await link(temp, target);
            } catch (error) {
              if (errno(error) === 'EEXIST') {
                throw new InvalidPathError(info.name, { reason: 'a file of that name exists', cause: error });
              }
              throw error;
            }
            await unlink(temp);
          }
          await cleanup();
          const real = await realpath(target);
          if (!inside(realDir, real))
            throw new InvalidPathError(info.name, { reason: 'resolves outside dir' });
          return real;
        },
        abort: async () => {
          await close();
          await Promise.all([rm(temp, { force: true }), cleanup()]);
        },
        release: close,
      };
    },
  };
};
