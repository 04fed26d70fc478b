import { memoryLogger } from '../../src/logger/memoryLogger.js';
import { createMetrics } from '../../src/metrics/createMetrics.js';
import { TransportMetric, createCounters } from '../../src/transport/counters.js';

describe('transport/counters', () => {
  it('records under transport.', () => {
    const metrics = createMetrics();
    const counters = createCounters(metrics, memoryLogger());
    counters.inc(TransportMetric.published);
    counters.observe(TransportMetric.requestMs, 3);
    expect(metrics.export()['transport.published']).toBe(1);
    expect(metrics.export()['transport.request_ms.count']).toBe(1);
  });

  it('never lets a metrics failure through, and warns once per name', () => {
    const metrics = createMetrics();
    metrics.observe('transport.published', 1); // now a histogram: inc() fails
    const logger = memoryLogger();
    const counters = createCounters(metrics, logger);
    expect(() => {
      counters.inc(TransportMetric.published);
      counters.inc(TransportMetric.published);
    }).not.toThrow();
    expect(logger.records.filter((r) => r.level === 'warn').length).toBe(1);
  });
});
