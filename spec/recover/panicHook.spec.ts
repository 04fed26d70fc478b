import { PanicError } from '../../src/errors';
import { memoryLogger } from '../../src/logger/memoryLogger';
import type { ILogger } from '../../src/logger/types';
import { onPanic, panics$, reportPanic, setRecoverLogger } from '../../src/recover/panicHook';
import type { PanicReport } from '../../src/recover/types';

describe('recover/panicHook', () => {
  const cleanups: (() => void)[] = [];
  const register = (hook: (r: PanicReport) => void): (() => void) => {
    const stop = onPanic(hook);
    cleanups.push(stop);
    return stop;
  };
  let previousLogger: ILogger | undefined;

  beforeEach(() => {
    previousLogger = setRecoverLogger(undefined);
  });

  afterEach(() => {
    cleanups.splice(0).forEach((stop) => stop());
    setRecoverLogger(previousLogger);
  });

  describe('onPanic / reportPanic', () => {
    it('hands every hook a report with the label, a PanicError wrapping the cause, and the context', () => {
      const reports: PanicReport[] = [];
      register((r) => reports.push(r));
      const cause = new Error('boom');

      const returned = reportPanic('orders', cause, { context: { contextID: 'c-1' } });

      expect(reports.length).toBe(1);
      const [report] = reports;
      expect(report).toBe(returned);
      expect(report?.label).toBe('orders');
      expect(report?.error).toBeInstanceOf(PanicError);
      expect(report?.error.cause).toBe(cause);
      expect(report?.error.label).toBe('orders');
      expect(report?.error.message).toBe('orders: boom');
      expect(report?.context).toEqual({ contextID: 'c-1' });
    });

    it('leaves context out of the report when none is given', () => {
      const report = reportPanic('x', 'bad');
      expect('context' in report).toBeFalse();
      expect(report.error.message).toBe('x: bad');
    });

    it('keeps an existing PanicError instead of wrapping it again', () => {
      const original = new PanicError('inner', new Error('e'));
      expect(reportPanic('outer', original).error).toBe(original);
    });

    it('calls several hooks in registration order, and the same function once per registration', () => {
      const calls: string[] = [];
      const twice = (): void => {
        calls.push('twice');
      };
      register(() => calls.push('first'));
      register(twice);
      register(twice);

      reportPanic('x', new Error('e'));

      expect(calls).toEqual(['first', 'twice', 'twice']);
    });

    it('stops calling a hook once its unsubscribe function ran; unsubscribing twice is harmless', () => {
      const calls: string[] = [];
      const stopA = register(() => calls.push('a'));
      register(() => calls.push('b'));

      stopA();
      stopA();
      reportPanic('x', new Error('e'));

      expect(calls).toEqual(['b']);
    });

    it('contains a hook that throws: later hooks still run, nothing escapes, and it is logged at warn', () => {
      const log = memoryLogger();
      setRecoverLogger(log);
      const calls: string[] = [];
      register(() => {
        throw new Error('hook broke');
      });
      register(() => calls.push('second'));

      expect(() => reportPanic('x', new Error('e'))).not.toThrow();

      expect(calls).toEqual(['second']);
      const warn = log.records.find((r) => r.level === 'warn');
      expect(warn?.message).toBe('a panic hook threw');
      expect((warn?.fields['hookError'] as Error).message).toBe('hook broke');
    });

    it('is not disturbed by a hook that unregisters another hook during dispatch', () => {
      const calls: string[] = [];
      register(() => {
        calls.push('a');
        stopB();
      });
      const stopB = register(() => calls.push('b'));

      reportPanic('x', new Error('e'));
      reportPanic('y', new Error('e'));

      expect(calls).toEqual(['a', 'b', 'a']);
    });

    it('stops recursing when a hook reports from inside itself', () => {
      let calls = 0;
      register(() => {
        calls += 1;
        reportPanic('again', new Error('e'));
      });

      expect(() => reportPanic('x', new Error('e'))).not.toThrow();

      expect(calls).toBe(8);
    });
  });

  describe('logging', () => {
    it('logs each report at error with label, message, cause, stack and context on the recover logger', () => {
      const log = memoryLogger();
      setRecoverLogger(log);
      const cause = new Error('boom');

      reportPanic('orders', cause, { context: { contextID: 'c-9' } });

      expect(log.records.length).toBe(1);
      const [record] = log.records;
      expect(record?.level).toBe('error');
      expect(record?.fields['label']).toBe('orders');
      expect(record?.fields['error']).toBe('orders: boom');
      expect(record?.fields['cause']).toBe(cause);
      expect(record?.fields['stack']).toBe(cause.stack);
      expect(record?.fields['context']).toEqual({ contextID: 'c-9' });
    });

    it('prefers the logger of the call over the recover logger', () => {
      const global = memoryLogger();
      const local = memoryLogger();
      setRecoverLogger(global);

      reportPanic('x', new Error('e'), { logger: local });

      expect(global.records.length).toBe(0);
      expect(local.records.length).toBe(1);
    });

    it('setRecoverLogger returns the logger it replaces', () => {
      const a = memoryLogger();
      const b = memoryLogger();
      expect(setRecoverLogger(a)).toBeUndefined();
      expect(setRecoverLogger(b)).toBe(a);
      expect(setRecoverLogger(undefined)).toBe(b);
    });

    it('survives a logger that throws, and still calls the hooks', () => {
      const throwing: ILogger = {
        ...memoryLogger(),
        error: () => {
          throw new Error('disk full');
        },
      };
      const reports: PanicReport[] = [];
      register((r) => reports.push(r));

      expect(() => reportPanic('x', new Error('e'), { logger: throwing })).not.toThrow();
      expect(reports.length).toBe(1);
    });
  });

  describe('panics$', () => {
    it('emits every report while subscribed, to every subscriber, and nothing after unsubscribe', () => {
      const first: string[] = [];
      const second: string[] = [];
      const sub1 = panics$.subscribe((r) => first.push(r.label));
      const sub2 = panics$.subscribe((r) => second.push(r.label));

      reportPanic('a', new Error('e'));
      sub1.unsubscribe();
      reportPanic('b', new Error('e'));
      sub2.unsubscribe();
      reportPanic('c', new Error('e'));

      expect(first).toEqual(['a']);
      expect(second).toEqual(['a', 'b']);
    });

    it('does not complete', () => {
      let completed = false;
      const sub = panics$.subscribe({ complete: () => (completed = true) });
      reportPanic('a', new Error('e'));
      sub.unsubscribe();
      expect(completed).toBeFalse();
    });
  });
});
