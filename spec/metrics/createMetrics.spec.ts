import { createMetrics } from '../../src/metrics/createMetrics';
import { InvalidMetricNameError, InvalidMetricValueError } from '../../src/metrics/errors';
import { DEFAULT_LATENCY_BUCKETS } from '../../src/metrics/histogram';
import { testScheduler } from '../helpers/marbles';

describe('metrics/createMetrics', () => {
  describe('counters and gauges', () => {
    it('starts empty', () => {
      expect(createMetrics().export()).toEqual({});
    });

    it('inc and add make counters; set makes gauges', () => {
      const m = createMetrics();
      m.inc('requests');
      m.inc('requests');
      m.add('bytes', 1.5);
      m.add('bytes', 2);
      m.set('inflight', 7);
      m.set('inflight', 3);
      expect(m.export()).toEqual({ requests: 2, bytes: 3.5, inflight: 3 });
      expect(m.snapshot()).toEqual([
        { name: 'bytes', kind: 'counter', value: 3.5 },
        { name: 'inflight', kind: 'gauge', value: 3 },
        { name: 'requests', kind: 'counter', value: 2 },
      ]);
    });

    it('lets add and inc move a gauge both ways', () => {
      const m = createMetrics();
      m.set('inflight', 0);
      m.add('inflight', 5);
      m.add('inflight', -2);
      m.inc('inflight');
      expect(m.export()).toEqual({ inflight: 4 });
      expect(m.snapshot()[0]?.kind).toBe('gauge');
    });

    it('rejects a counter going down, and registers nothing', () => {
      const m = createMetrics();
      expect(() => m.add('requests', -1)).toThrowMatching(
        (e) => e instanceof InvalidMetricValueError && e.metric === 'requests' && e.value === -1,
      );
      expect(m.export()).toEqual({});
    });

    it('rejects values that are not finite', () => {
      const m = createMetrics();
      for (const bad of [NaN, Infinity, -Infinity]) {
        expect(() => m.set('g', bad)).toThrowError(InvalidMetricValueError);
        expect(() => m.add('c', bad)).toThrowError(InvalidMetricValueError);
        expect(() => m.observe('h', bad)).toThrowError(InvalidMetricValueError);
      }
      expect(m.export()).toEqual({});
    });

    it('fixes the kind of a name at its first write', () => {
      const m = createMetrics();
      m.inc('c');
      m.set('g', 1);
      m.observe('h', 1);
      expect(() => m.set('c', 1)).toThrowMatching(
        (e) => e instanceof InvalidMetricNameError && /already a counter/.test(e.message),
      );
      expect(() => m.observe('c', 1)).toThrowError(InvalidMetricNameError);
      expect(() => m.observe('g', 1)).toThrowError(InvalidMetricNameError);
      expect(() => m.inc('h')).toThrowError(InvalidMetricNameError);
      expect(() => m.add('h', -1)).toThrowError(InvalidMetricNameError);
      expect(() => m.set('h', 1)).toThrowError(InvalidMetricNameError);
    });
  });

  describe('names', () => {
    it('rejects invalid names with a typed error', () => {
      const m = createMetrics();
      for (const bad of ['', '9lives', 'has space', 'db..q', 'db.', '.db', 'a-b', 'x'.repeat(201)]) {
        expect(() => m.inc(bad))
          .withContext(bad)
          .toThrowMatching(
            (e) => e instanceof InvalidMetricNameError && e.metric === bad && e.code === 'INVALID_NAME',
          );
      }
      expect(m.export()).toEqual({});
    });

    it('rejects two names that would be the same in Prometheus', () => {
      const m = createMetrics();
      m.inc('db.query');
      expect(() => m.inc('db_query')).toThrowMatching(
        (e) => e instanceof InvalidMetricNameError && /collides with "db.query"/.test(e.message),
      );
    });

    it('reserves the names a histogram exposes', () => {
      const m = createMetrics();
      m.observe('rpc', 1);
      for (const taken of ['rpc_bucket', 'rpc_sum', 'rpc.count', 'rpc.p50', 'rpc_p99']) {
        expect(() => m.inc(taken))
          .withContext(taken)
          .toThrowError(InvalidMetricNameError);
      }
      m.inc('x_sum');
      expect(() => m.observe('x', 1)).toThrowError(InvalidMetricNameError);
    });

    it('accepts a "__proto__" name as an ordinary key of the export', () => {
      const m = createMetrics();
      m.inc('__proto__');
      const exported = m.export();
      expect(Object.keys(exported)).toEqual(['__proto__']);
      expect(Object.getPrototypeOf(exported)).toBe(Object.prototype);
    });

    it('refuses new names past maxMetrics but still updates existing ones', () => {
      const m = createMetrics({ maxMetrics: 2 });
      m.inc('a');
      m.inc('b');
      expect(() => m.inc('c')).toThrowMatching(
        (e) => e instanceof InvalidMetricNameError && /maxMetrics/.test(e.message),
      );
      m.inc('a');
      expect(m.export()).toEqual({ a: 2, b: 1 });
    });

    it('validates maxMetrics', () => {
      expect(() => createMetrics({ maxMetrics: 0 })).toThrowError(InvalidMetricValueError);
      expect(() => createMetrics({ maxMetrics: 1.5 })).toThrowError(InvalidMetricValueError);
    });
  });

  describe('export, snapshot and reset', () => {
    it('export returns a copy', () => {
      const m = createMetrics();
      m.inc('a');
      const first = m.export();
      first['a'] = 99;
      m.inc('a');
      expect(first['a']).toBe(99);
      expect(m.export()).toEqual({ a: 2 });
    });

    it('reset forgets values, kinds and claimed names', () => {
      const m = createMetrics();
      m.inc('a');
      m.observe('h', 1);
      m.reset();
      expect(m.export()).toEqual({});
      m.set('a', 5);
      m.inc('h_sum');
      expect(m.export()).toEqual({ a: 5, h_sum: 1 });
    });
  });

  describe('series handles (counter, histogram)', () => {
    it('write the same series as inc and observe with the same name and labels', () => {
      const m = createMetrics();
      const sent = m.counter('sent', { region: 'eu', app: 'a' });
      const saves = m.histogram('save_ms', { app: 'a' });
      sent.inc();
      sent.inc(2);
      m.inc('sent', { app: 'a', region: 'eu' });
      saves.observe(3);
      m.observe('save_ms', 5, { app: 'a' });
      expect(m.export()).toEqual({
        'sent{app="a",region="eu"}': 4,
        'save_ms{app="a"}.count': 2,
        'save_ms{app="a"}.sum': 8,
        'save_ms{app="a"}.p50': jasmine.any(Number),
        'save_ms{app="a"}.p99': jasmine.any(Number),
      });
    });

    it('record nothing until the first write, and check the name then', () => {
      const m = createMetrics();
      const bad = m.counter('1bad');
      m.histogram('idle_ms');
      expect(m.export()).toEqual({});
      expect(() => bad.inc()).toThrowError(InvalidMetricNameError);
    });

    it('refuse what inc and observe refuse, and record nothing of it', () => {
      const m = createMetrics();
      const sent = m.counter('sent');
      const saves = m.histogram('save_ms');
      sent.inc();
      saves.observe(1);
      expect(() => sent.inc(-1)).toThrowError(InvalidMetricValueError);
      expect(() => sent.inc(Number.NaN)).toThrowError(InvalidMetricValueError);
      expect(() => saves.observe(-1)).toThrowError(InvalidMetricValueError);
      expect(() => saves.observe(Infinity)).toThrowError(InvalidMetricValueError);
      expect(m.export()['sent']).toBe(1);
      expect(m.export()['save_ms.count']).toBe(1);
    });

    it('refuse a name already used as another kind', () => {
      const m = createMetrics();
      m.set('pool', 3);
      expect(() => m.counter('pool').inc()).toThrowError(InvalidMetricNameError);
      expect(() => m.histogram('pool').observe(1)).toThrowError(InvalidMetricNameError);
      expect(m.export()).toEqual({ pool: 3 });
    });

    it('start again from zero after a reset', () => {
      const m = createMetrics();
      const sent = m.counter('sent');
      const saves = m.histogram('save_ms');
      sent.inc(5);
      saves.observe(2);
      m.reset();
      sent.inc();
      saves.observe(4);
      expect(m.export()['sent']).toBe(1);
      expect(m.export()['save_ms.sum']).toBe(4);
    });

    it('take a prefix from withPrefix', () => {
      const m = createMetrics();
      m.withPrefix('db').counter('queries').inc();
      m.withPrefix('db').histogram('query_ms').observe(2);
      expect(m.export()['db.queries']).toBe(1);
      expect(m.export()['db.query_ms.count']).toBe(1);
    });
  });

  describe('withPrefix', () => {
    it('writes into the same registry, adding the missing dot', () => {
      const m = createMetrics();
      const db = m.withPrefix('db');
      const db2 = m.withPrefix('db.');
      db.inc('queries');
      db2.inc('queries');
      db.add('rows', 10);
      db.set('pool', 4);
      db.observe('query_ms', 2);
      expect(m.export()).toEqual({
        'db.queries': 2,
        'db.rows': 10,
        'db.pool': 4,
        'db.query_ms.count': 1,
        'db.query_ms.sum': 2,
        'db.query_ms.p50': 2,
        'db.query_ms.p99': 2,
      });
    });

    it('nests prefixes, and treats an empty prefix as none', () => {
      const m = createMetrics();
      m.withPrefix('svc').withPrefix('db').inc('q');
      m.withPrefix('').inc('plain');
      m.withPrefix('svc').withPrefix('').inc('r');
      expect(Object.keys(m.export()).sort()).toEqual(['plain', 'svc.db.q', 'svc.r']);
    });

    it('rejects an invalid prefix at once', () => {
      const m = createMetrics();
      expect(() => m.withPrefix('1db')).toThrowError(InvalidMetricNameError);
      expect(() => m.withPrefix('db..')).toThrowError(InvalidMetricNameError);
      expect(() => m.withPrefix('db').withPrefix('a b')).toThrowError(InvalidMetricNameError);
    });

    it('times into the prefixed histogram', () => {
      const m = createMetrics();
      testScheduler().run(({ cold, expectObservable }) => {
        const stop = m.withPrefix('db').time('q');
        expectObservable(cold('----|')).toBe('----|');
        cold('----|').subscribe({ complete: () => void stop() });
      });
      expect(m.export()['db.q.sum']).toBe(4);
    });
  });

  describe('histograms', () => {
    it('exports count, sum and p50/p99 estimates', () => {
      const m = createMetrics();
      for (let i = 1; i <= 100; i += 1) m.observe('lat', i);
      const exported = m.export();
      expect(exported['lat.count']).toBe(100);
      expect(exported['lat.sum']).toBe(5050);
      expect(exported['lat.p50']).toBeCloseTo(50, 0);
      expect(exported['lat.p99']).toBeCloseTo(99, 0);
    });

    it('counts observations into the default buckets, cumulatively, ending at +Inf', () => {
      const m = createMetrics();
      m.observe('lat', 0.5);
      m.observe('lat', 3);
      m.observe('lat', 20_000);
      const [sample] = m.snapshot();
      if (sample?.kind !== 'histogram') return fail('expected a histogram');
      expect(sample.buckets.map((b) => b.le)).toEqual([...DEFAULT_LATENCY_BUCKETS, Infinity]);
      expect(sample.buckets.find((b) => b.le === 0.5)?.count).toBe(1);
      expect(sample.buckets.find((b) => b.le === 2.5)?.count).toBe(1);
      expect(sample.buckets.find((b) => b.le === 5)?.count).toBe(2);
      expect(sample.buckets.find((b) => b.le === 10000)?.count).toBe(2);
      expect(sample.buckets.at(-1)).toEqual({ le: Infinity, count: 3 });
      expect(sample.p99).toBeLessThanOrEqual(20_000);
    });

    it('rejects a negative latency', () => {
      expect(() => createMetrics().observe('lat', -1)).toThrowError(InvalidMetricValueError);
    });

    it('takes custom buckets and validates them', () => {
      const m = createMetrics({ buckets: [10, 100] });
      m.observe('lat', 50);
      const [sample] = m.snapshot();
      expect(sample?.kind === 'histogram' && sample.buckets.map((b) => [b.le, b.count])).toEqual([
        [10, 0],
        [100, 1],
        [Infinity, 1],
      ]);
      expect(() => createMetrics({ buckets: [] })).toThrowError(InvalidMetricValueError);
      expect(() => createMetrics({ buckets: [5, 1] })).toThrowError(InvalidMetricValueError);
      expect(() => createMetrics({ buckets: [1, 1] })).toThrowError(InvalidMetricValueError);
      expect(() => createMetrics({ buckets: [1, NaN] })).toThrowError(InvalidMetricValueError);
    });

    it("does not share the caller's bucket array", () => {
      const buckets = [10, 100];
      const m = createMetrics({ buckets });
      buckets.push(1);
      m.observe('lat', 5);
      const [sample] = m.snapshot();
      expect(sample?.kind === 'histogram' && sample.buckets.length).toBe(3);
    });
  });

  describe('time', () => {
    it('records elapsed virtual time once, however often stop is called', () => {
      const m = createMetrics();
      const elapsed: number[] = [];
      testScheduler().run(({ cold, expectObservable }) => {
        const stop = m.time('job');
        cold('---a--b|').subscribe({ next: () => elapsed.push(stop()) });
        expectObservable(cold('-------|')).toBe('-------|');
      });
      expect(elapsed).toEqual([3, 3]);
      expect(m.export()['job.count']).toBe(1);
      expect(m.export()['job.sum']).toBe(3);
    });

    it('uses the scheduler it was given', () => {
      const times = [1000, 1250];
      const m = createMetrics({
        scheduler: {
          now: () => times.shift() ?? 0,
          schedule: () => {
            throw new Error('unused');
          },
        },
      });
      expect(m.time('job')()).toBe(250);
    });

    it('rejects an invalid name when the timer starts', () => {
      expect(() => createMetrics().time('bad name')).toThrowError(InvalidMetricNameError);
    });
  });

  describe('labels', () => {
    it('counts frozen labels passed again and again into the same series as equal unfrozen ones', () => {
      const m = createMetrics();
      const frozen = Object.freeze({ status: '200', action: 'a' });
      m.inc('calls', frozen);
      m.inc('calls', frozen);
      m.inc('calls', { action: 'a', status: '200' });
      m.inc('calls', Object.freeze({ action: 'a', status: '500' }));
      expect(m.export()).toEqual({
        'calls{action="a",status="200"}': 3,
        'calls{action="a",status="500"}': 1,
      });
    });

    it('keeps one series per set of label values, in export() and snapshot()', () => {
      const m = createMetrics();
      m.inc('calls', { action: 'a', status: '200' });
      m.inc('calls', { status: '200', action: 'a' });
      m.inc('calls', { action: 'a', status: '400' });
      m.inc('calls');
      expect(m.export()).toEqual({
        calls: 1,
        'calls{action="a",status="200"}': 2,
        'calls{action="a",status="400"}': 1,
      });
      expect(m.snapshot().map((sample) => sample.labels)).toEqual([
        undefined,
        { action: 'a', status: '200' },
        { action: 'a', status: '400' },
      ]);
    });

    it('refuses a label name Prometheus would not take, and another kind under a labelled name', () => {
      const m = createMetrics();
      expect(() => m.inc('calls', { le: '1' })).toThrowError(InvalidMetricNameError);
      expect(() => m.inc('calls', { __name: 'x' })).toThrowError(InvalidMetricNameError);
      expect(() => m.inc('calls', { '1st': 'x' })).toThrowError(InvalidMetricNameError);
      m.inc('calls', { action: 'a' });
      expect(() => m.observe('calls', 1, { action: 'b' })).toThrowError(
        InvalidMetricNameError,
        /already a counter/,
      );
    });

    it('gives the help text of describe to every series, before or after the first write', () => {
      const m = createMetrics();
      m.describe('early', 'set first');
      m.inc('early', { a: '1' });
      m.inc('late');
      m.describe('late', 'set after');
      expect(m.snapshot().map((sample) => sample.help)).toEqual(['set first', 'set after']);
    });
  });
});
