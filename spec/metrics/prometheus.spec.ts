import { createMetrics } from '../../src/metrics/createMetrics';
import { toPrometheus } from '../../src/metrics/prometheus';
import type { MetricSample } from '../../src/metrics/types';

/** The exposition-format rule every line must obey: a comment or `name{labels} value`. */
const LINE =
  /^(# TYPE [a-zA-Z_:][a-zA-Z0-9_:]* (counter|gauge|histogram)|[a-zA-Z_:][a-zA-Z0-9_:]*(\{le="[^"]+"\})? \S+)$/;

describe('metrics/toPrometheus', () => {
  it('renders nothing for an empty registry', () => {
    expect(toPrometheus(createMetrics())).toBe('');
  });

  it('renders counters and gauges with their TYPE, sanitised names and a final newline', () => {
    const m = createMetrics();
    m.inc('db.queries');
    m.set('inflight', 2.5);
    expect(toPrometheus(m)).toBe(
      '# TYPE db_queries counter\ndb_queries 1\n# TYPE inflight gauge\ninflight 2.5\n',
    );
  });

  it('renders the series of a labelled name under one HELP and TYPE, labels sorted and escaped', () => {
    const m = createMetrics({ buckets: [10] });
    m.describe('calls_total', 'Calls answered.\nBy action.');
    m.inc('calls_total', { status: '500', action: 'a' });
    m.inc('calls_total', { action: 'a', status: '200' });
    m.inc('calls_total', { action: 'a', status: '200' });
    m.inc('calls_total', { action: 'say "hi"\\', status: '200' });
    m.observe('latency_ms', 5, { action: 'a' });
    m.inc('plain');
    expect(toPrometheus(m)).toBe(
      [
        '# HELP calls_total Calls answered.\\nBy action.',
        '# TYPE calls_total counter',
        'calls_total{action="a",status="200"} 2',
        'calls_total{action="a",status="500"} 1',
        'calls_total{action="say \\"hi\\"\\\\",status="200"} 1',
        '# TYPE latency_ms histogram',
        'latency_ms_bucket{action="a",le="10"} 1',
        'latency_ms_bucket{action="a",le="+Inf"} 1',
        'latency_ms_sum{action="a"} 5',
        'latency_ms_count{action="a"} 1',
        '# TYPE plain counter',
        'plain 1',
        '',
      ].join('\n'),
    );
  });

  it('renders a histogram as cumulative buckets ending with +Inf, then sum and count', () => {
    const m = createMetrics({ buckets: [1, 10] });
    m.observe('rpc.login_ms', 0.5);
    m.observe('rpc.login_ms', 5);
    m.observe('rpc.login_ms', 50);
    expect(toPrometheus(m)).toBe(
      [
        '# TYPE rpc_login_ms histogram',
        'rpc_login_ms_bucket{le="1"} 1',
        'rpc_login_ms_bucket{le="10"} 2',
        'rpc_login_ms_bucket{le="+Inf"} 3',
        'rpc_login_ms_sum 55.5',
        'rpc_login_ms_count 3',
        '',
      ].join('\n'),
    );
  });

  it('renders the default buckets with their decimal bounds, every line well-formed', () => {
    const m = createMetrics();
    m.observe('lat', 0.2);
    m.inc('errors_total');
    const text = toPrometheus(m);
    expect(text).toContain('lat_bucket{le="0.5"} 1\n');
    expect(text).toContain('lat_bucket{le="10000"} 1\n');
    expect(text).toContain('lat_bucket{le="+Inf"} 1\n');
    const lines = text.trimEnd().split('\n');
    expect(lines.filter((l) => !LINE.test(l))).toEqual([]);
    expect(lines.filter((l) => l.startsWith('# TYPE'))).toEqual([
      '# TYPE errors_total counter',
      '# TYPE lat histogram',
    ]);
  });

  it('accepts samples directly, sanitising any name and writing special values', () => {
    const samples: MetricSample[] = [
      { name: '9-odd name', kind: 'gauge', value: NaN },
      { name: 'up', kind: 'gauge', value: -Infinity },
      {
        name: 'h',
        kind: 'histogram',
        buckets: [{ le: 1, count: 2 }],
        sum: 3,
        count: 4,
        p50: 0,
        p99: 0,
      },
    ];
    expect(toPrometheus(samples)).toBe(
      [
        '# TYPE _9_odd_name gauge',
        '_9_odd_name NaN',
        '# TYPE up gauge',
        'up -Inf',
        '# TYPE h histogram',
        'h_bucket{le="1"} 2',
        'h_bucket{le="+Inf"} 4',
        'h_sum 3',
        'h_count 4',
        '',
      ].join('\n'),
    );
  });
});
