/**
 * Request/reply under load over a real nsqd, the service in a child process
 * (fixtures/echoResponder.ts): the client's publishes awaiting nsqd's OK stay
 * bounded by the requests outstanding.
 *
 * A request completes when its response arrives, which can come before the
 * client has read nsqd's OK for its publish. The publisher used to write each
 * tick's publishes at once (`process.nextTick`), inside the I/O callback that
 * read the responses: new requests went out and their responses came back
 * within the same read loop of the reply connection, while the publisher's OKs
 * waited for it to end. At 25 k req/s and 1,000 outstanding, 10,000
 * publishes were waiting for an OK and the next one was refused
 * (`PublishQueueFullError`; bench `firstuse`). It now writes once the turn's
 * I/O callbacks ran (`setImmediate`), after the OKs that came with them.
 */
import type { ChildProcess } from 'node:child_process';
import { nsqTransport } from '../../src/transport/nsqTransport';
import type { Transport } from '../../src/transport/types';
import { exited, forkFixture } from '../helpers/children';
import { describeNsq } from '../helpers/nsq';
import type { ResponderReady } from './fixtures/echoResponder';

const START_TIMEOUT_MS = 15_000;
const CONCURRENCY = 1_000;
/** Three times the requests outstanding: what a publisher that reads its OKs in time never comes near. */
const MAX_QUEUED = 3 * CONCURRENCY;
const LOAD_MS = 3_000;

describeNsq('request/reply under load over nsq', (servers) => {
  let service: ChildProcess | undefined;
  let client: Transport | undefined;

  afterEach(async () => {
    await client?.close();
    if (service !== undefined) {
      service.kill('SIGKILL');
      await exited(service);
    }
  });

  it('keeps the publishes awaiting an OK within three times the requests outstanding', async () => {
    const action = 'load.echo';
    service = forkFixture('echoResponder', [servers().nsqdTcp, servers().nsqdHttp, action]);
    const child = service;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error('the service did not start in time')),
        START_TIMEOUT_MS,
      );
      child.on('message', (message: ResponderReady) => {
        if (message.type !== 'ready') return;
        clearTimeout(timer);
        resolve();
      });
    });
    const transport = nsqTransport({
      nsqd: servers().nsqdTcp,
      nsqdHttp: [servers().nsqdHttp],
      nodeId: 'loadclient',
      maxQueued: MAX_QUEUED,
      requestTimeoutMs: 20_000,
    });
    client = transport;
    const failures = new Map<string, number>();
    let answered = 0;
    await new Promise<void>((resolve) => {
      const until = Date.now() + LOAD_MS;
      let outstanding = 0;
      const one = (i: number): void => {
        outstanding += 1;
        transport.request(action, { i }).subscribe({
          next: () => {
            answered += 1;
          },
          error: (error: unknown) => {
            const name = error instanceof Error ? error.name : String(error);
            failures.set(name, (failures.get(name) ?? 0) + 1);
            done();
          },
          complete: () => done(),
        });
        const done = (): void => {
          outstanding -= 1;
          if (Date.now() < until) one(i + CONCURRENCY);
          else if (outstanding === 0) resolve();
        };
      };
      for (let i = 0; i < CONCURRENCY; i++) one(i);
    });
    expect(Object.fromEntries(failures)).toEqual({});
    // it was load: every one of the 1,000 outstanding requests was answered several times over
    expect(answered).toBeGreaterThan(3 * CONCURRENCY);
  }, 60_000);
});
