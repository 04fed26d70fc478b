/**
 * A service answering stream requests (issue 13), in virtual time over the
 * memory transport: an Observable handler streams every value, anything else
 * is a stream of one answer, and every failure answers at once.
 */
import * as t from 'io-ts';
import { catchError, map, of, type Observable } from 'rxjs';
import type { TestScheduler } from 'rxjs/testing';
import { memoryBroker } from '../../src/broker/memory/memoryBroker.js';
import type { Message } from '../../src/codec/message.js';
import { ResponseError } from '../../src/transport/errors.js';
import { memoryTransport } from '../../src/transport/memoryTransport.js';
import type { Transport } from '../../src/transport/types.js';
import { createService } from '../../src/service/createService.js';
import type { Service } from '../../src/service/types.js';
import { testScheduler } from '../helpers/marbles.js';

type Helpers = Parameters<Parameters<TestScheduler['run']>[0]>[0];

/** Each reply's `body.result`, then `done`; an error as its status and text. */
const outcome = (replies: Observable<Message>): Observable<unknown> =>
  replies.pipe(
    map((m) => m.body?.['result']),
    catchError((error: unknown) =>
      of(
        error instanceof ResponseError
          ? { status: error.statusCode, error: error.remoteMessage }
          : { name: (error as Error).name },
      ),
    ),
  );

/** A started service `rows` and a client transport on one memory broker. */
const withService = (
  body: (client: Transport, svc: Service, helpers: Helpers) => void,
  endFrame = 1_000,
): void => {
  const scheduler = testScheduler();
  scheduler.run((helpers) => {
    const broker = memoryBroker({ scheduler });
    const svc = createService({
      name: 'rows',
      version: 'v1',
      transport: memoryTransport({ scheduler, broker, service: 'rows', nodeId: 'rowsvc' }),
      scheduler,
      namespace: false,
    });
    const client = memoryTransport({ scheduler, broker, nodeId: 'client', requestTimeoutMs: 100 });
    body(client, svc, helpers);
    void svc.start();
    helpers.cold(`${endFrame}ms a`).subscribe(() => void svc.stop());
  });
};

describe('service/createService, stream requests', () => {
  it('streams every value of an Observable handler, then completes', () => {
    withService((client, svc, { cold, expectObservable, expectSubscriptions }) => {
      const rows = cold('-a-b-c|', { a: { i: 0 }, b: { i: 1 }, c: { i: 2 } });
      svc.action('rows.list', t.type({}), () => rows);
      expectObservable(outcome(client.requestStream('rows.list'))).toBe('-a-b-c|', {
        a: { i: 0 },
        b: { i: 1 },
        c: { i: 2 },
      });
      expectSubscriptions(rows.subscriptions).toBe('^-----!');
    });
  });

  it('still answers a plain request to the same handler with its first value', () => {
    withService((client, svc, { cold, expectObservable }) => {
      svc.action('rows.list', t.type({}), () => cold('-a-b-c|', { a: 1, b: 2, c: 3 }));
      expectObservable(client.request('rows.list').pipe(map((m) => m.body?.['result']))).toBe('-(a|)', {
        a: 1,
      });
    });
  });

  it('answers a stream request to a value handler with a stream of that one answer', () => {
    withService((client, svc, { expectObservable }) => {
      svc.action('rows.count', t.type({}), () => ({ count: 3 }));
      expectObservable(outcome(client.requestStream('rows.count'))).toBe('(a|)', { a: { count: 3 } });
    });
  });

  it('answers a refused input (400) and a handler that throws at once, not at the timeout', () => {
    withService((client, svc, { expectObservable }) => {
      svc.action('rows.list', t.type({ year: t.number }), () => of(1));
      svc.action('rows.fail', t.type({}), () => {
        throw Object.assign(new Error('quota exceeded'), { statusCode: 429 });
      });
      expectObservable(outcome(client.requestStream('rows.list', { year: 'last' }))).toBe('(e|)', {
        e: { status: 400, error: jasmine.stringMatching(/^invalid body of rows.list: year: /) },
      });
      expectObservable(outcome(client.requestStream('rows.fail'))).toBe('(e|)', {
        e: { status: 429, error: 'quota exceeded' },
      });
    });
  });

  it('checks every value by the output codec: one it refuses ends the stream with a 500', () => {
    withService((client, svc, { cold, expectObservable, expectSubscriptions }) => {
      const rows = cold('-a-b-c|', { a: { i: 0 }, b: { i: 'one' }, c: { i: 2 } });
      svc.action(
        { name: 'rows.list', input: t.type({}), output: t.type({ i: t.number }) },
        () => rows as Observable<{ i: number }>,
      );
      expectObservable(outcome(client.requestStream('rows.list'))).toBe('-a-(e|)', {
        a: { i: 0 },
        e: { status: 500, error: jasmine.stringMatching(/^invalid result of rows.list/) },
      });
      expectSubscriptions(rows.subscriptions).toBe('^--!');
    });
  });

  it('an early unsubscribe stops the handler Observable, and the call is counted once the stream ends', async () => {
    let svc_: Service | undefined;
    withService((client, svc, { cold, expectObservable, expectSubscriptions }) => {
      svc_ = svc;
      const rows = cold('-a-b-c-d-e|', { a: 1, b: 2, c: 3, d: 4, e: 5 });
      svc.action('rows.list', t.type({}), () => rows);
      expectObservable(outcome(client.requestStream('rows.list')), '^--!').toBe('-a-', { a: 1 });
      expectSubscriptions(rows.subscriptions).toBe('^--!');
    });
    await new Promise((resolve) => setTimeout(resolve, 0)); // respondStream's end is a promise callback
    expect(svc_?.metrics.export()['action.rows.list.calls']).toBe(1);
  });
});
