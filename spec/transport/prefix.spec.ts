import { InvalidNameError } from '../../src/errors.js';
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
