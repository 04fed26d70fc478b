import * as t from 'io-ts';
import { memoryTransport } from '../../src/transport/memoryTransport.js';
import { createMetrics } from '../../src/metrics/createMetrics.js';
import { createService } from '../../src/service/createService.js';
import { serveMetrics, type MetricsServer } from '../../src/node/serveMetrics.js';

/** One sample line: name, labels, value. */
interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/** What a scrape says: HELP and TYPE per name, and every sample. */
interface Exposition {
  readonly help: Map<string, string>;
  readonly type: Map<string, string>;
  readonly samples: Sample[];
}

const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const SAMPLE = new RegExp(`^(${NAME})(?:\\{(.*)\\})? (\\S+)$`);
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(,|$)/y;

/** Parses the Prometheus text format 0.0.4 strictly enough to fail on a malformed line. */
const parseExposition = (text: string): Exposition => {
  const result: Exposition = { help: new Map(), type: new Map(), samples: [] };
  expect(text.endsWith('\n')).withContext('ends with a newline').toBeTrue();
  for (const line of text.slice(0, -1).split('\n')) {
    const comment = /^# (HELP|TYPE) (\S+) (.*)$/.exec(line);
    if (comment !== null) {
      const [, kind, name, rest] = comment as unknown as [string, string, string, string];
      const seen = kind === 'HELP' ? result.help : result.type;
      expect(seen.has(name)).withContext(`one ${kind} for ${name}`).toBeFalse();
      seen.set(name, rest);
      continue;
    }
    const match = SAMPLE.exec(line);
    if (match === null) throw new Error(`not an exposition line: ${line}`);
    const [, name, labelText = '', value] = match as unknown as [string, string, string | undefined, string];
    const labels: Record<string, string> = {};
    LABEL.lastIndex = 0;
    while (LABEL.lastIndex < labelText.length) {
      const label = LABEL.exec(labelText);
      if (label === null) throw new Error(`bad labels in: ${line}`);
      labels[label[1] as string] = (label[2] as string).replace(/\\(.)/g, (_, c: string) =>
        c === 'n' ? '\n' : c,
      );
    }
    result.samples.push({ name, labels, value: value === '+Inf' ? Infinity : Number(value) });
  }
  return result;
};

const valueOf = (exposition: Exposition, name: string, labels: Record<string, string>): number | undefined =>
  exposition.samples.find(
    (s) =>
      s.name === name &&
      Object.keys(s.labels).length === Object.keys(labels).length &&
      Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  )?.value;

describe('node/serveMetrics', () => {
  let server: MetricsServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('serves a service metrics on GET /metrics, with HELP, TYPE and action and status labels', async () => {
    const transport = memoryTransport();
    const svc = createService({
      name: 'math',
      version: 'v1',
      transport,
      metrics: createMetrics({ buckets: [5, 60_000] }),
    });
    svc.action('math.add', t.type({ a: t.number, b: t.number }), ({ a, b }) => ({ sum: a + b }));
    svc.action('math.crash', t.type({}), () => {
      throw new Error('boom');
    });
    await svc.start();
    try {
      server = await serveMetrics(svc.metrics, { port: 0 });
      expect(server.url).toBe(`http://127.0.0.1:${server.port}/metrics`);
      await svc.call('math.add', { a: 1, b: 2 });
      await svc.call('math.add', { a: 3, b: 4 });
      await expectAsync(svc.call('math.add', { a: 1 })).toBeRejected();
      await expectAsync(svc.call('math.crash', {})).toBeRejected();

      const response = await fetch(server.url);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
      const scrape = parseExposition(await response.text());

      expect(scrape.type.get('action_calls_total')).toBe('counter');
      expect(scrape.help.get('action_calls_total')).toBe('Calls answered, by action and status.');
      expect(scrape.type.get('action_latency_ms')).toBe('histogram');
      expect(scrape.help.get('action_latency_ms')).toMatch(/^Time to answer/);
      expect(valueOf(scrape, 'action_calls_total', { action: 'math.add', status: '200' })).toBe(2);
      expect(valueOf(scrape, 'action_calls_total', { action: 'math.add', status: '400' })).toBe(1);
      expect(valueOf(scrape, 'action_calls_total', { action: 'math.crash', status: '500' })).toBe(1);
      expect(scrape.samples.filter((s) => s.name === 'action_calls_total').length).toBe(3);

      for (const [action, status, count] of [
        ['math.add', '200', 2],
        ['math.add', '400', 1],
        ['math.crash', '500', 1],
      ] as const) {
        const buckets = scrape.samples.filter(
          (s) =>
            s.name === 'action_latency_ms_bucket' &&
            s.labels['action'] === action &&
            s.labels['status'] === status,
        );
        expect(buckets.map((b) => b.labels['le']))
          .withContext(`${action} ${status}`)
          .toEqual(['5', '60000', '+Inf']);
        // in-process calls answer within a few ms; all are under a minute
        expect(buckets[1]?.value).toBe(count);
        expect(buckets[2]?.value).toBe(count);
        expect(buckets[0]?.value ?? -1).toBeLessThanOrEqual(count);
        expect(valueOf(scrape, 'action_latency_ms_count', { action, status })).toBe(count);
        expect(valueOf(scrape, 'action_latency_ms_sum', { action, status })).toBeGreaterThanOrEqual(0);
      }
      // the per-action metrics render as before, without labels
      expect(scrape.type.get('action_math_add_calls')).toBe('counter');
      expect(valueOf(scrape, 'action_math_add_calls', {})).toBe(3);
      expect(valueOf(scrape, 'action_math_add_errors', {})).toBe(1);
    } finally {
      await svc.stop();
      await transport.close();
    }
  });

  it('answers 404 off the path and 405 to a POST', async () => {
    server = await serveMetrics(createMetrics(), { port: 0 });
    expect((await fetch(`http://127.0.0.1:${server.port}/other`)).status).toBe(404);
    expect((await fetch(server.url, { method: 'POST' })).status).toBe(405);
    const empty = await fetch(server.url);
    expect(empty.status).toBe(200);
    expect(await empty.text()).toBe('');
  });

  it('rejects when the port is taken', async () => {
    server = await serveMetrics(createMetrics(), { port: 0 });
    await expectAsync(serveMetrics(createMetrics(), { port: server.port })).toBeRejectedWithError(
      /EADDRINUSE/,
    );
  });
});
