/**
 * Streaming replies over a real nsqd, requester and responder in two
 * processes (issue 13): the responder is a child process
 * (fixtures/streamResponder.ts), the requester this spec's own nsq transport.
 */
import type { ChildProcess } from 'node:child_process';
import { lastValueFrom, map, take, toArray, type Subscription } from 'rxjs';
import type { Message } from '../../src/codec/message';
import { nsqTransport } from '../../src/transport/nsqTransport';
import { StreamIdleError } from '../../src/transport/streamErrors';
import type { StreamEnd } from '../../src/transport/streamTypes';
import type { Transport } from '../../src/transport/types';
import { forkFixture, exited } from '../helpers/children';
import { describeNsq } from '../helpers/nsq';
import { sleep, waitFor } from '../helpers/wait';
import type { StreamKind, StreamerMessage } from './fixtures/streamResponder';

const START_TIMEOUT_MS = 15_000;

const indexOf = (m: Message): number => (m.body?.['result'] as { i: number }).i;

describeNsq('streaming replies across two processes over nsq', (servers) => {
  let responder: ChildProcess;
  let transport: Transport;
  let action: string;
  let specs = 0;
  let ends: StreamEnd[];

  /** The number of items the responder's source has produced so far. */
  const produced = (): Promise<number> =>
    new Promise((resolve) => {
      const onMessage = (message: StreamerMessage): void => {
        if (message.type !== 'produced') return;
        responder.off('message', onMessage);
        resolve(message.produced);
      };
      responder.on('message', onMessage);
      responder.send({ type: 'ask' } satisfies StreamerMessage);
    });

  const ask = (kind: StreamKind, options: Parameters<Transport['requestStream']>[2] = {}) =>
    transport.requestStream(action, kind as unknown as Record<string, number | string>, {
      timeout: 10_000,
      ...options,
    });

  beforeEach(async () => {
    specs += 1;
    action = `streams.rows${specs}`;
    ends = [];
    transport = nsqTransport({ nsqd: servers().nsqdTcp, nsqdHttp: [servers().nsqdHttp], service: 'caller' });
    responder = forkFixture('streamResponder', [servers().nsqdTcp, servers().nsqdHttp, action]);
    const child = responder;
    child.on('message', (message: StreamerMessage) => {
      if (message.type === 'ended') ends.push(message.end);
    });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error('the responder did not start in time')),
        START_TIMEOUT_MS,
      );
      child.on('message', (message: StreamerMessage) => {
        if (message.type !== 'ready') return;
        clearTimeout(timer);
        resolve();
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`the responder exited before it was ready (${code ?? signal})`));
      });
    });
  }, 30_000);

  afterEach(async () => {
    responder.kill('SIGKILL');
    await exited(responder);
    await transport.close();
  }, 30_000);

  it('delivers 10,000 items in order, then completes', async () => {
    const items = await lastValueFrom(ask({ kind: 'range', count: 10_000 }).pipe(map(indexOf), toArray()));

    expect(items.length).toBe(10_000);
    expect(items).toEqual(Array.from({ length: 10_000 }, (_, i) => i));
    await waitFor('the responder to report the end', () => ends.length === 1, 10_000);
    expect(ends).toEqual([{ reason: 'complete', sent: 10_000 }]);
  }, 60_000);

  it('an early unsubscribe stops the producer: its count stops growing within 1 s', async () => {
    // a push source that produces one item per ms whatever the credits say: only the cancel stops it
    const items = await lastValueFrom(
      ask({ kind: 'interval', everyMs: 1 }).pipe(map(indexOf), take(100), toArray()),
    );
    expect(items).toEqual(Array.from({ length: 100 }, (_, i) => i));

    await sleep(1_000);
    const afterOneSecond = await produced();
    await sleep(1_000);
    const afterTwoSeconds = await produced();

    expect(afterOneSecond).toBeGreaterThanOrEqual(100);
    expect(afterTwoSeconds).withContext('items produced 1 s after the first second').toBe(afterOneSecond);
    await waitFor('the responder to report the end', () => ends.length === 1, 10_000);
    expect(ends[0]?.reason).toBe('cancelled');
  }, 30_000);

  it('a subscriber taking 1 item per 10 ms holds the responder to at most window items ahead', async () => {
    const window = 16;
    let consumed = 0;
    let mostAhead = 0;
    const samples: number[] = [];
    const done = new Promise<void>((resolve, reject) => {
      const subscription: Subscription = ask({ kind: 'pull' }, { window })
        .pipe(take(300))
        .subscribe({
          next: () => {
            // a slow consumer: 10 ms of work before `next` returns (and the item counts as consumed)
            const until = performance.now() + 10;
            while (performance.now() < until) {
              // busy
            }
            consumed += 1;
          },
          error: reject,
          complete: resolve,
        });
      void subscription;
    });
    const sampling = (async () => {
      let finished = false;
      void done.then(() => (finished = true));
      while (!finished) {
        // produced is read in the responder first, consumed here after: consumed can only have grown meanwhile
        const p = await produced();
        const ahead = p - consumed;
        samples.push(ahead);
        mostAhead = Math.max(mostAhead, ahead);
        await sleep(50);
      }
    })();
    await done;
    await sampling;

    expect(consumed).toBe(300);
    expect(samples.length).toBeGreaterThan(5);
    expect(mostAhead)
      .withContext(`items produced ahead of those consumed: ${samples.join(' ')}`)
      .toBeLessThanOrEqual(window);
    // and the producer was held back: it made far fewer than it could have in the time
    expect(await produced()).toBeLessThanOrEqual(300 + window);
  }, 60_000);

  it('a responder SIGKILLed mid-stream ends the stream with a StreamIdleError', async () => {
    const received: number[] = [];
    const outcome = new Promise<unknown>((resolve) => {
      ask({ kind: 'interval', everyMs: 5 }, { idleTimeout: 1_000 }).subscribe({
        next: (m) => received.push(indexOf(m)),
        error: resolve,
        complete: () => resolve('completed'),
      });
    });
    await waitFor('the first items', () => received.length >= 10, 10_000);
    responder.kill('SIGKILL');
    await exited(responder);

    const error = await outcome;
    expect(error).toBeInstanceOf(StreamIdleError);
    expect((error as StreamIdleError).idleTimeoutMs).toBe(1_000);
    expect((error as StreamIdleError).received).toBe(received.length);
    expect(received).toEqual(Array.from({ length: received.length }, (_, i) => i));
  }, 30_000);
});
