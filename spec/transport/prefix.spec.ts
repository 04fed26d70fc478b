import { map, of, throwError, type Observable } from 'rxjs';
import { ConfigError, DiscoveryError, InvalidNameError } from '../../src/errors.js';
import { memoryBroker } from '../../src/broker/memory/memoryBroker.js';
import type { Broker } from '../../src/broker/types.js';
import { createTransport } from '../../src/transport/createTransport.js';
import type { DiscoveryEvent } from '../../src/transport/types.js';
import { defaultDeadLetterTopic } from '../../src/delivery/deadLetter.js';
import { matchingTopics, type PrefixFilter } from '../../src/transport/prefix.js';
import { memoryTransport } from '../../src/transport/memoryTransport.js';
import { createTestScheduler } from '../../src/testing/index.js';

const marbles = () => createTestScheduler((actual, expected) => expect(actual).toEqual(expected));

const filter = (overrides: Partial<PrefixFilter> = {}): PrefixFilter => ({
  prefix: 'orders.',
  includeInternal: false,
  includeDeadLetter: false,
  deadLetterTopic: defaultDeadLetterTopic,
  ...overrides,
});

const topics = [
  'orders.a',
  'orders.a.dead',
  'orders.b#ephemeral',
  '_orders.x',
  '_reply.n1#ephemeral',
  'users.a',
];

describe('transport/prefix matchingTopics', () => {
  it('takes the topics that start with the prefix, without dead-letter and internal topics', () => {
    expect(matchingTopics(topics, filter())).toEqual(['orders.a', 'orders.b#ephemeral']);
    expect(matchingTopics(topics, filter({ prefix: 'orders.*' }))).toEqual([
      'orders.a',
      'orders.b#ephemeral',
    ]);
  });

  it('takes every non-internal topic for "" and "*"', () => {
    expect(matchingTopics(topics, filter({ prefix: '' }))).toEqual([
      'orders.a',
      'orders.b#ephemeral',
      'users.a',
    ]);
    expect(matchingTopics(topics, filter({ prefix: '*' }))).toEqual([
      'orders.a',
      'orders.b#ephemeral',
      'users.a',
    ]);
  });

  it('includes internal and dead-letter topics when asked, or when the prefix is internal', () => {
    expect(
      matchingTopics(topics, filter({ prefix: '', includeInternal: true, includeDeadLetter: true })),
    ).toEqual(topics);
    expect(matchingTopics(topics, filter({ prefix: '_orders.' }))).toEqual(['_orders.x']);
  });

  it('leaves out the dead-letter topics a custom naming gives', () => {
    const custom = filter({ deadLetterTopic: (t) => `dlq.${t}`, prefix: '' });
    expect(matchingTopics(['a', 'dlq.a', 'dlq.b'], custom)).toEqual(['a', 'dlq.b']);
    const throwing = filter({
      prefix: '',
      deadLetterTopic: () => {
        throw new Error('x');
      },
    });
    expect(matchingTopics(['a'], throwing)).toEqual(['a']);
  });
});

describe('transport subscribePrefix', () => {
  it('errors at subscribe with an InvalidNameError for a prefix no topic name could start with', () => {
    const scheduler = marbles();
    scheduler.run(({ expectObservable }) => {
      const bus = memoryTransport({ scheduler });
      for (const prefix of ['bad prefix', 'a/b', 'orders.*.x', 'x#ephemeral', 'p'.repeat(65), 42]) {
        expectObservable(bus.subscribePrefix(prefix as string), '^ 5s !').toBe(
          '#',
          undefined,
          jasmine.objectContaining({ name: 'InvalidNameError', value: String(prefix) }),
        );
      }
      expectObservable(bus.subscribePrefix('bad prefix'), '^ 5s !').toBe(
        '#',
        undefined,
        jasmine.any(InvalidNameError),
      );
    });
  });

  it('takes every prefix a topic name can start with: "", "*", a trailing "*", up to 64 characters', () => {
    const scheduler = marbles();
    scheduler.run(({ expectObservable }) => {
      const bus = memoryTransport({ scheduler });
      for (const prefix of [
        '',
        '*',
        'orders.',
        'orders.*',
        '_x-y_Z.9',
        'p'.repeat(64),
        `${'p'.repeat(64)}*`,
      ]) {
        expectObservable(bus.subscribePrefix(prefix), '^ 5s !').toBe('');
      }
    });
  });
});

/**
 * A memory broker whose topic listings follow `script`, one letter a listing:
 * `f` fails, `s` succeeds (listing `p.a`); past its end, the last letter repeats.
 */
const scriptedListing = (script: string): Broker => {
  const broker = memoryBroker();
  let calls = 0;
  return {
    publish: (t, b) => broker.publish(t, b),
    publishDeferred: (t, b, d) => broker.publishDeferred(t, b, d),
    consume: (o) => broker.consume(o),
    listTopics: (): Observable<readonly string[]> => {
      const step = script[Math.min(calls, script.length - 1)];
      calls += 1;
      return step === 'f' ? throwError(() => new Error(`listing ${calls} failed`)) : of(['p.a']);
    },
    maxMessageBytes: broker.maxMessageBytes,
    status$: broker.status$,
    close: () => broker.close(),
  };
};

/** Each discovery event as `f<failures>` (failed) or `r<failures>` (recovered). */
const short = (events: Observable<DiscoveryEvent>): Observable<string> =>
  events.pipe(map((e) => `${e.type === 'listing-failed' ? 'f' : 'r'}${e.failures}`));

describe('transport subscribePrefix when topic listings fail', () => {
  it('errors with a DiscoveryError at the maxListFailures-th failure in a row, each failure an event on discovery$', () => {
    const scheduler = marbles();
    scheduler.run(({ expectObservable }) => {
      const bus = createTransport(scriptedListing('f'), {
        scheduler,
        pollIntervalMs: 100,
        maxListFailures: 3,
      });
      expectObservable(short(bus.discovery$), '^ 1s !').toBe('a 99ms b 99ms c', {
        a: 'f1',
        b: 'f2',
        c: 'f3',
      });
      expectObservable(bus.subscribePrefix('p.'), '^ 1s !').toBe(
        '200ms #',
        undefined,
        jasmine.objectContaining({
          name: 'DiscoveryError',
          code: 'DISCOVERY',
          prefix: 'p.',
          failures: 3,
          sources: [],
          cause: jasmine.objectContaining({ message: 'listing 3 failed' }),
        }),
      );
    });
  });

  it("carries the listing error and the subscription's own bound on each event", () => {
    const scheduler = marbles();
    scheduler.run(({ expectObservable }) => {
      const bus = createTransport(scriptedListing('f'), {
        scheduler,
        pollIntervalMs: 100,
        maxListFailures: 2,
      });
      expectObservable(bus.discovery$, '^ 1s !').toBe('a', {
        a: {
          type: 'listing-failed',
          prefix: 'p.',
          failures: 1,
          maxListFailures: 1,
          error: jasmine.objectContaining({ message: 'listing 1 failed' }) as unknown as Error,
        },
      });
      expectObservable(bus.subscribePrefix('p.', { maxListFailures: 1 }), '^ 1s !').toBe(
        '#',
        undefined,
        jasmine.any(DiscoveryError),
      );
    });
  });

  it('resets the count on a successful listing, and reports the recovery', () => {
    const scheduler = marbles();
    scheduler.run(({ expectObservable }) => {
      const bus = createTransport(scriptedListing('ffsffsffs'), {
        scheduler,
        pollIntervalMs: 100,
        maxListFailures: 3,
      });
      expectObservable(short(bus.discovery$), '^ 1s !').toBe(
        'a 99ms b 99ms c 99ms d 99ms e 99ms f 99ms g 99ms h 99ms i',
        { a: 'f1', b: 'f2', c: 'r2', d: 'f1', e: 'f2', f: 'r2', g: 'f1', h: 'f2', i: 'r2' },
      );
      // never three failures in a row: the subscription stays up
      expectObservable(bus.subscribePrefix('p.'), '^ 1s !').toBe('');
    });
  });

  it('keeps trying with maxListFailures: Infinity', () => {
    const scheduler = marbles();
    scheduler.run(({ expectObservable }) => {
      const bus = createTransport(scriptedListing('f'), { scheduler, pollIntervalMs: 100 });
      expectObservable(
        bus.subscribePrefix('p.', { maxListFailures: Number.POSITIVE_INFINITY }),
        '^ 10s !',
      ).toBe('');
    });
  });

  it('errors by default after DEFAULT_MAX_LIST_FAILURES (5) failures in a row', () => {
    const scheduler = marbles();
    scheduler.run(({ expectObservable }) => {
      const bus = createTransport(scriptedListing('f'), { scheduler });
      expectObservable(bus.subscribePrefix('p.'), '^ 10s !').toBe(
        '4s #',
        undefined,
        jasmine.objectContaining({ failures: 5 }),
      );
    });
  });

  it('refuses a bad maxListFailures with a ConfigError, on the transport and on the subscription', () => {
    const scheduler = marbles();
    scheduler.run(({ expectObservable }) => {
      for (const bad of [0, 1.5, -1, Number.NaN]) {
        expect(() => createTransport(scriptedListing('s'), { maxListFailures: bad })).toThrowError(
          ConfigError,
        );
      }
      const bus = createTransport(scriptedListing('s'), { scheduler });
      expectObservable(bus.subscribePrefix('p.', { maxListFailures: 0 }), '^ 1s !').toBe(
        '#',
        undefined,
        jasmine.any(ConfigError),
      );
    });
  });
});
