import { fileHooks } from '../../src/file/fileHooks.js';
import type { FileEvent } from '../../src/file/types.js';
import { testScheduler } from '../helpers/marbles.js';

const chunk: FileEvent = { type: 'chunk', fileId: 'f1', index: 0, offset: 0, size: 3 };
const completed: FileEvent = {
  type: 'completed',
  fileId: 'f1',
  name: 'a',
  size: 3,
  sha256: 'x',
  location: 'a',
};
const timeout: FileEvent = { type: 'timeout', fileId: 'f1', missing: [1], more: false };
const failed: FileEvent = { type: 'failed', fileId: 'f2', name: 'b', error: new Error('disk') };
const progress: FileEvent = {
  type: 'progress',
  fileId: 'f1',
  bytesReceived: 3,
  chunksReceived: 1,
  size: 3,
  total: 1,
};

describe('fileHooks', () => {
  it('completes at once on an empty source, calling nothing', () => {
    const calls: string[] = [];
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold<FileEvent>('|');
      expectObservable(source.pipe(fileHooks({ onChunk: () => calls.push('chunk') }))).toBe('|');
      expectSubscriptions(source.subscriptions).toBe('(^!)');
    });
    expect(calls).toEqual([]);
  });

  it('calls the hook of one event and passes it on', () => {
    const calls: FileEvent[] = [];
    testScheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold('-a|', { a: chunk }).pipe(fileHooks({ onChunk: (e) => calls.push(e) }))).toBe(
        '-a|',
        {
          a: chunk,
        },
      );
    });
    expect(calls).toEqual([chunk]);
  });

  it('calls each hook for its own events, in order, and passes every event on unchanged', () => {
    const calls: string[] = [];
    const hooks = {
      onChunk: () => calls.push('chunk'),
      onComplete: () => calls.push('complete'),
      onTimeout: () => calls.push('timeout'),
      onFailed: () => calls.push('failed'),
    };
    testScheduler().run(({ cold, expectObservable }) => {
      const values = { a: chunk, p: progress, t: timeout, c: completed, f: failed };
      expectObservable(cold('a-p-t-c-f|', values).pipe(fileHooks(hooks))).toBe('a-p-t-c-f|', values);
    });
    expect(calls).toEqual(['chunk', 'timeout', 'complete', 'failed']);
  });

  it('passes an error on', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold('a-#', { a: chunk }).pipe(fileHooks({}))).toBe('a-#', { a: chunk });
    });
  });

  it('stays open on a never-ending source', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold('a--', { a: chunk }).pipe(fileHooks({}))).toBe('a--', { a: chunk });
    });
  });

  it('unsubscribes from the source when unsubscribed early', () => {
    const calls: string[] = [];
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('a-a-a|', { a: chunk });
      expectObservable(source.pipe(fileHooks({ onChunk: () => calls.push('chunk') })), '^--!').toBe('a-a', {
        a: chunk,
      });
      expectSubscriptions(source.subscriptions).toBe('^--!');
    });
    expect(calls.length).toBe(2);
  });

  it('errors the stream with what a hook throws', () => {
    const boom = new Error('hook');
    testScheduler().run(({ cold, expectObservable }) => {
      const hooks = {
        onComplete: () => {
          throw boom;
        },
      };
      expectObservable(cold('a-c-a|', { a: chunk, c: completed }).pipe(fileHooks(hooks))).toBe(
        'a-#',
        { a: chunk },
        boom,
      );
    });
  });
});
