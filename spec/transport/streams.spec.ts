/**
 * Streaming replies in virtual time, over the memory broker: completion,
 * errors, timeouts, cancel, reordering and the flow-control window.
 */
import { Subject, firstValueFrom, map, take, timer, toArray, type Observable } from 'rxjs';
import type { Message } from '../../src/codec/message.js';
import { MessageType } from '../../src/constant/index.js';
import { BadRequestError, ConfigError, TimeoutError, TransportClosedError } from '../../src/errors.js';
import { memoryBroker } from '../../src/broker/memory/memoryBroker.js';
import type { MemoryBroker } from '../../src/broker/memory/types.js';
import type { Broker } from '../../src/broker/types.js';
import { createTransport } from '../../src/transport/createTransport.js';
import { StreamProtocolError } from '../../src/transport/streamErrors.js';
import type { StreamEnd, StreamSource } from '../../src/transport/streamTypes.js';
import { StreamHeader, streamTopicOf } from '../../src/transport/streamWire.js';
import type { Transport } from '../../src/transport/types.js';
import { testScheduler } from '../helpers/marbles.js';

/** `broker` with every publish to `slowTopic` delivered `delayMs` late (a slow control path). */
const slowTo = (broker: MemoryBroker, slowTopic: string, delayMs: number): Broker => ({
  publish: (topic, body) =>
    topic === slowTopic ? broker.publishDeferred(topic, body, delayMs) : broker.publish(topic, body),
  publishDeferred: (topic, body, delay) => broker.publishDeferred(topic, body, delay),
  consume: (options) => broker.consume(options),
  listTopics: () => broker.listTopics(),
  maxMessageBytes: broker.maxMessageBytes,
  status$: broker.status$,
  close: () => broker.close(),
});

/** A requester (`client`) and a responder (`service`) on one memory broker. */
const bus = (clientBroker?: (broker: MemoryBroker) => Broker): { client: Transport; service: Transport } => {
  const broker = memoryBroker();
  const common = { closeBroker: false, requestTimeoutMs: 100, random: () => 0.5 };
  return {
    client: createTransport(clientBroker ? clientBroker(broker) : broker, { ...common, nodeId: 'client' }),
    service: createTransport(broker, { ...common, nodeId: 'service', service: 'svc' }),
  };
};

/** Serves `action` by streaming `source()` to each request; each stream's end goes to `ends`. */
const serve = (
  service: Transport,
  action: string,
  source: (request: Message) => StreamSource,
  ends: StreamEnd[] = [],
): void => {
  service.subscribeTopic(action).subscribe((d) => {
    d.finish();
    service.respondStream(d.message, source(d.message)).then(
      (end) => ends.push(end),
      (error: unknown) => fail(error),
    );
  });
};

/** Lets the promise callbacks of the run (respondStream's ends) happen. */
const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

const results = (stream$: Observable<Message>): Observable<unknown> =>
  stream$.pipe(map((m) => m.body?.['result']));

describe('transport/streams', () => {
  describe('in virtual time', () => {
    it('emits every item in order, then completes on the final reply', async () => {
      const ends: StreamEnd[] = [];
      testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const { client, service } = bus();
        const source = cold('-a-b-c|', { a: 1, b: 2, c: 3 });
        serve(service, 'rows', () => source, ends);
        expectObservable(results(client.requestStream('rows', { year: 2024 }))).toBe('-a-b-c|', {
          a: 1,
          b: 2,
          c: 3,
        });
        expectSubscriptions(source.subscriptions).toBe('^-----!');
      });
      await settle();
      expect(ends).toEqual([{ reason: 'complete', sent: 3 }]);
    });

    it('emits stream messages: type stream, the contextID, a sequence number, the responder to credit', () => {
      testScheduler().run(({ cold, expectObservable }) => {
        const { client, service } = bus();
        serve(service, 'rows', () => cold('a|', { a: { n: 1 } }));
        expectObservable(client.requestStream('rows', {}, { contextID: 'c-1' })).toBe('a|', {
          a: {
            type: MessageType.STREAM,
            contextID: 'c-1',
            replyTo: streamTopicOf('service'),
            header: { [StreamHeader.SEQ]: '0' },
            body: { result: { n: 1 } },
          },
        });
      });
    });

    it('sends the request with replyTo its stream topic, its window and idle timeout', () => {
      const requests: Message[] = [];
      testScheduler().run(({ cold }) => {
        const { client, service } = bus();
        serve(service, 'rows', (request) => (requests.push(request), cold('|')));
        client.requestStream('rows', { q: 1 }, { timeout: 70, idleTimeout: 30, window: 5 }).subscribe();
      });
      expect(requests).toEqual([
        jasmine.objectContaining({
          type: MessageType.REQUEST,
          node: 'rows',
          replyTo: streamTopicOf('client'),
          body: { q: 1 },
          header: { 'x-deadline': '70', [StreamHeader.WINDOW]: '5', [StreamHeader.IDLE]: '30' },
        }),
      ]);
    });

    it('completes at once on an empty source, and carries bytes as rawBody', () => {
      testScheduler().run(({ cold, expectObservable }) => {
        const { client, service } = bus();
        serve(service, 'empty', () => cold('|'));
        serve(service, 'bytes', () => cold('a|', { a: new Uint8Array([1, 2, 3]) }));
        expectObservable(client.requestStream('empty')).toBe('|');
        expectObservable(client.requestStream('bytes').pipe(map((m) => [...(m.rawBody ?? [])]))).toBe('a|', {
          a: [1, 2, 3],
        });
      });
    });

    it('emits the items before an error mid-stream, then a ResponseError with its status', async () => {
      const ends: StreamEnd[] = [];
      testScheduler().run(({ cold, expectObservable }) => {
        const { client, service } = bus();
        const boom = Object.assign(new Error('disk gone'), { statusCode: 503 });
        serve(service, 'rows', () => cold('-a-b-#', { a: 1, b: 2 }, boom), ends);
        expectObservable(results(client.requestStream('rows'))).toBe(
          '-a-b-#',
          { a: 1, b: 2 },
          jasmine.objectContaining({
            name: 'ResponseError',
            action: 'rows',
            statusCode: 503,
            remoteMessage: 'disk gone',
          }),
        );
      });
      await settle();
      expect(ends).toEqual([{ reason: 'error', sent: 2 }]);
    });

    it('errors with a TimeoutError when no first reply comes within timeout', () => {
      testScheduler().run(({ expectObservable }) => {
        const { client } = bus();
        expectObservable(client.requestStream('nobody', {}, { timeout: 50 })).toBe(
          '50ms #',
          undefined,
          jasmine.any(TimeoutError),
        );
      });
    });

    it('errors with a StreamIdleError when no reply comes for idleTimeout, and stops the source', async () => {
      const ends: StreamEnd[] = [];
      testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const { client, service } = bus();
        const source = cold('-a-b 100ms c|', { a: 1, b: 2, c: 3 });
        serve(service, 'rows', () => source, ends);
        expectObservable(results(client.requestStream('rows', {}, { timeout: 10, idleTimeout: 40 }))).toBe(
          '-a-b 39ms #',
          { a: 1, b: 2 },
          jasmine.objectContaining({ name: 'StreamIdleError', idleTimeoutMs: 40, received: 2 }),
        );
        // the requester cancels as it gives up
        expectSubscriptions(source.subscriptions).toBe('^--- 39ms !');
      });
      await settle();
      expect(ends).toEqual([{ reason: 'cancelled', sent: 2 }]);
    });

    it('an idle timeout counts from the last reply: a steady stream slower than timeout is fine', () => {
      testScheduler().run(({ cold, expectObservable }) => {
        const { client, service } = bus();
        serve(service, 'rows', () => cold('30ms a 29ms b 29ms c|', { a: 1, b: 2, c: 3 }));
        expectObservable(results(client.requestStream('rows', {}, { timeout: 40, idleTimeout: 40 }))).toBe(
          '30ms a 29ms b 29ms c|',
          { a: 1, b: 2, c: 3 },
        );
      });
    });

    it('cancels on unsubscribe: the responder unsubscribes its source in the same frame', async () => {
      const ends: StreamEnd[] = [];
      testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const { client, service } = bus();
        const source = cold('-a-b-c-d-e-f|', { a: 1, b: 2, c: 3, d: 4, e: 5, f: 6 });
        serve(service, 'rows', () => source, ends);
        expectObservable(results(client.requestStream('rows')), '^----!').toBe('-a-b-', { a: 1, b: 2 });
        expectSubscriptions(source.subscriptions).toBe('^----!');
      });
      await settle();
      // c was sent in the frame of the cancel, before the cancel came
      expect(ends).toEqual([{ reason: 'cancelled', sent: 3 }]);
    });

    it('cancels from inside next (take): the source stops after the items taken', () => {
      testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const { client, service } = bus();
        const source = cold('-a-b-c-d|', { a: 1, b: 2, c: 3, d: 4 });
        serve(service, 'rows', () => source);
        expectObservable(results(client.requestStream('rows')).pipe(take(2))).toBe('-a-(b|)', { a: 1, b: 2 });
        expectSubscriptions(source.subscriptions).toBe('^--!');
      });
    });

    it('a cancel before the first reply reaches the responder with its first item', async () => {
      const ends: StreamEnd[] = [];
      testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const { client, service } = bus();
        const source = cold('20ms a-b-c|', { a: 1, b: 2, c: 3 });
        serve(service, 'rows', () => source, ends);
        expectObservable(client.requestStream('rows'), '^-- 5ms !').toBe('');
        expectSubscriptions(source.subscriptions).toBe('^ 19ms !');
      });
      await settle();
      expect(ends).toEqual([{ reason: 'cancelled', sent: 1 }]);
    });

    it('a plain respond to a stream request ends it: a result as one message, an error as a ResponseError', () => {
      testScheduler().run(({ expectObservable }) => {
        const { client, service } = bus();
        service.subscribeTopic('one').subscribe((d) => {
          d.finish();
          void service.respond(d.message, { n: 1 });
        });
        service.subscribeTopic('gone').subscribe((d) => {
          d.finish();
          void service.respond(d.message, new Error('no such report'), 404);
        });
        expectObservable(results(client.requestStream('one'))).toBe('(a|)', { a: { n: 1 } });
        expectObservable(client.requestStream('gone')).toBe(
          '#',
          undefined,
          jasmine.objectContaining({
            name: 'ResponseError',
            statusCode: 404,
            remoteMessage: 'no such report',
          }),
        );
      });
    });

    it('reorders out-of-order replies by sequence number and drops duplicates', () => {
      testScheduler().run(({ expectObservable }) => {
        const { client, service } = bus();
        // a hand-written responder that sends 2, 0, 0 again, 1, then the end (3)
        service.subscribeTopic('rows').subscribe((d) => {
          d.finish();
          const { replyTo = '', contextID = '' } = d.message;
          const frame = (seq: number, extra: Partial<Message> = {}): Message => ({
            type: MessageType.STREAM,
            contextID,
            replyTo: streamTopicOf('service'),
            header: { [StreamHeader.SEQ]: String(seq) },
            body: { result: seq },
            ...extra,
          });
          const sendAt = (at: number, msg: Message): void => {
            timer(at).subscribe(() => void service.publish(replyTo, msg));
          };
          sendAt(0, frame(2));
          sendAt(10, frame(0));
          sendAt(15, frame(0));
          sendAt(20, frame(1));
          sendAt(30, frame(3, { header: { [StreamHeader.SEQ]: '3', [StreamHeader.END]: 'complete' } }));
        });
        expectObservable(results(client.requestStream('rows'))).toBe('10ms a 9ms (bc) 6ms |', {
          a: 0,
          b: 1,
          c: 2,
        });
      });
    });

    it('errors with a StreamProtocolError for a reply beyond the window or with a bad sequence number; one without is not an item', () => {
      testScheduler().run(({ expectObservable }) => {
        const { client, service } = bus();
        service.subscribeTopic('rows').subscribe((d) => {
          d.finish();
          const { replyTo = '', contextID = '' } = d.message;
          const seq = d.message.body?.['seq'];
          void service.publish(replyTo, {
            type: MessageType.STREAM,
            contextID,
            replyTo: streamTopicOf('service'),
            header: typeof seq === 'string' ? { [StreamHeader.SEQ]: seq } : {},
          });
        });
        // an item without a sequence number is read as a control message and dropped: the stream times out
        expectObservable(client.requestStream('rows', {}, { timeout: 50 })).toBe(
          '50ms #',
          undefined,
          jasmine.any(TimeoutError),
        );
        expectObservable(client.requestStream('rows', { seq: '4' }, { window: 3 })).toBe(
          '#',
          undefined,
          jasmine.any(StreamProtocolError),
        );
        expectObservable(client.requestStream('rows', { seq: 'x' })).toBe(
          '#',
          undefined,
          jasmine.any(StreamProtocolError),
        );
      });
    });

    it('a window of 3 holds a fast source back: never more than 3 items ahead of the credits', async () => {
      const ends: StreamEnd[] = [];
      testScheduler().run(({ cold, expectObservable }) => {
        // every credit takes 10 ms to reach the responder
        const { client, service } = bus((broker) => slowTo(broker, streamTopicOf('service'), 10));
        const source = cold('(abcdefgh|)', { a: 1, b: 2, c: 3, d: 4, e: 5, f: 6, g: 7, h: 8 });
        serve(service, 'rows', () => source, ends);
        expectObservable(results(client.requestStream('rows', {}, { window: 3 }))).toBe(
          '(abc) 5ms (def) 5ms (gh|)',
          { a: 1, b: 2, c: 3, d: 4, e: 5, f: 6, g: 7, h: 8 },
        );
      });
      await settle();
      expect(ends).toEqual([{ reason: 'complete', sent: 8 }]);
    });

    it('fails the stream with an overflow error when an Observable source runs more than maxBuffered ahead', async () => {
      const ends: StreamEnd[] = [];
      testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const { client, service } = bus((broker) => slowTo(broker, streamTopicOf('service'), 10));
        const source = cold('abcde|', { a: 1, b: 2, c: 3, d: 4, e: 5 });
        service.subscribeTopic('rows').subscribe((d) => {
          d.finish();
          void service.respondStream(d.message, source, { maxBuffered: 2 }).then((end) => ends.push(end));
        });
        expectObservable(results(client.requestStream('rows', {}, { window: 1 }))).toBe(
          'a--#',
          { a: 1 },
          jasmine.objectContaining({ name: 'ResponseError', statusCode: 500 }),
        );
        expectSubscriptions(source.subscriptions).toBe('^--!');
      });
      await settle();
      expect(ends).toEqual([{ reason: 'error', sent: 1 }]);
    });

    it('the responder gives up when no credit comes for the idle timeout (a requester that died)', async () => {
      const ends: StreamEnd[] = [];
      testScheduler().run(({ cold, expectSubscriptions }) => {
        // credits never arrive within the test
        const { client, service } = bus((broker) => slowTo(broker, streamTopicOf('service'), 10_000));
        const source = cold('(abcd)', { a: 1, b: 2, c: 3, d: 4 });
        serve(service, 'rows', () => source, ends);
        client
          .requestStream('rows', {}, { window: 2, idleTimeout: 500 })
          .subscribe({ error: () => undefined });
        expectSubscriptions(source.subscriptions).toBe('^ 499ms !');
      });
      await settle();
      expect(ends).toEqual([{ reason: 'abandoned', sent: 2 }]);
    });

    it('a responder that closes ends its streams at once with an error reply (503), not at the idle timeout', async () => {
      const ends: StreamEnd[] = [];
      testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const { client, service } = bus();
        const source = cold('-a-b-c-d|', { a: 1, b: 2, c: 3, d: 4 });
        serve(service, 'rows', () => source, ends);
        expectObservable(results(client.requestStream('rows'))).toBe(
          '-a-b-#',
          { a: 1, b: 2 },
          jasmine.objectContaining({ name: 'ResponseError', statusCode: 503 }),
        );
        expectSubscriptions(source.subscriptions).toBe('^----!');
        timer(5).subscribe(() => void service.close());
      });
      await settle();
      expect(ends).toEqual([{ reason: 'closed', sent: 2 }]);
    });

    it('refuses bad options with a ConfigError, a duplicate contextID, and ends every stream on close', async () => {
      const ends: StreamEnd[] = [];
      testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const { client, service } = bus();
        const configError = jasmine.any(ConfigError);
        expectObservable(client.requestStream('a', {}, { window: 0 })).toBe('#', undefined, configError);
        expectObservable(client.requestStream('a', {}, { window: 10_001 })).toBe('#', undefined, configError);
        expectObservable(client.requestStream('a', {}, { timeout: -1 })).toBe('#', undefined, configError);
        expectObservable(client.requestStream('a', {}, { idleTimeout: Number.NaN })).toBe(
          '#',
          undefined,
          configError,
        );
        const source = cold('-a-b-c-d-e|');
        serve(service, 'rows', () => source, ends);
        expectObservable(client.requestStream('rows', {}, { contextID: 'dup' })).toBe(
          '-a-b-#',
          { a: jasmine.anything(), b: jasmine.anything() },
          jasmine.any(TransportClosedError),
        );
        expectObservable(client.requestStream('rows', {}, { contextID: 'dup' })).toBe(
          '#',
          undefined,
          jasmine.objectContaining({ name: 'DuplicateConversationError' }),
        );
        timer(5).subscribe(() => void client.close());
        timer(7).subscribe(() => void service.close());
        expectSubscriptions(source.subscriptions).toBe('^------!');
      });
      await settle();
      expect(ends).toEqual([{ reason: 'closed', sent: 3 }]);
    });
  });

  describe('respondStream', () => {
    it('rejects a request that is not a stream request with a BadRequestError', async () => {
      const { service } = bus();
      const source = new Subject<number>();
      await expectAsync(
        service.respondStream({ type: 'request', contextID: 'c', replyTo: 'r' }, source),
      ).toBeRejectedWithError(BadRequestError, /x-stream-window/);
      await expectAsync(
        service.respondStream({ type: 'request', contextID: 'c' }, source),
      ).toBeRejectedWithError(BadRequestError);
      expect(source.observed).toBeFalse();
      await service.close();
    });

    it('pulls an AsyncIterable only while credits allow, and returns it when cancelled', async () => {
      const { client, service } = bus();
      let produced = 0;
      let returned = false;
      const maxAhead: number[] = [];
      let consumed = 0;
      const ends: StreamEnd[] = [];
      const rows = async function* (): AsyncGenerator<number> {
        try {
          for (;;) {
            maxAhead.push(produced - consumed);
            yield produced++;
          }
        } finally {
          returned = true;
        }
      };
      serve(service, 'rows', () => rows(), ends);
      const got = await firstValueFrom(
        client.requestStream('rows', {}, { window: 4 }).pipe(
          map((m) => {
            consumed += 1;
            return m.body?.['result'];
          }),
          take(50),
          toArray(),
        ),
      );
      expect(got).toEqual(Array.from({ length: 50 }, (_, i) => i));
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(returned).toBeTrue();
      expect(ends).toEqual([jasmine.objectContaining({ reason: 'cancelled' })]);
      // the generator never ran more than the window ahead of what was consumed
      expect(Math.max(...maxAhead)).toBeLessThanOrEqual(4);
      await client.close();
      await service.close();
    });
  });
});
