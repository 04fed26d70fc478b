/**
 * The transport's metrics, written so that a metrics failure (a name already
 * used as another kind) can never break message flow.
 *
 * @packageDocumentation
 */
import type { ILogger } from '../logger/types.js';
import type { MetricsRecorder } from '../metrics/types.js';

/**
 * Every metric the transport writes, under the `transport.` prefix.
 *
 * @example
 * ```ts
 * import { TransportMetric } from 'rxmini';
 * metrics.export()[`transport.${TransportMetric.lateReplies}`]; // responses dropped after a timeout
 * ```
 */
export const TransportMetric = {
  /** Messages the broker acknowledged. */
  published: 'published',
  /** Publishes that failed (rejected promise). */
  publishFailed: 'publish_failed',
  /** Deliveries decoded and handed to a subscriber. */
  received: 'received',
  /** Deliveries finished. */
  finished: 'finished',
  /** Deliveries requeued (by `requeue`, or by `fail` with retries left). */
  requeued: 'requeued',
  /** Messages published to a dead-letter topic after failing. */
  deadLettered: 'dead_lettered',
  /** Messages that could not be decoded or validated (dead-lettered at once). */
  undecodable: 'undecodable',
  /** Dead-letter publishes that failed (the message was requeued instead). */
  deadLetterFailed: 'dead_letter_failed',
  /** Requests sent. */
  requests: 'requests',
  /** Requests that timed out. */
  requestTimeouts: 'request_timeouts',
  /** Responses that found no waiting request (after a timeout or cancel), dropped. */
  lateReplies: 'late_replies',
  /** Messages on the reply topic that were not valid responses, dropped. */
  invalidReplies: 'invalid_replies',
  /** Request round trips, in ms (a histogram). */
  requestMs: 'request_ms',
  /** Deliveries touched automatically. */
  autoTouched: 'auto_touched',
} as const;

/** Union of the {@link TransportMetric} names. */
export type TransportMetric = (typeof TransportMetric)[keyof typeof TransportMetric];

/** What the transport needs to record. */
export interface Counters {
  inc(name: TransportMetric): void;
  observe(name: TransportMetric, ms: number): void;
}

/**
 * Counters under `transport.` in `metrics`; a failure to record is logged once
 * per name and otherwise ignored.
 */
export const createCounters = (metrics: MetricsRecorder, logger: ILogger): Counters => {
  const warned = new Set<string>();
  const failed = (name: string, error: unknown): void => {
    if (warned.has(name)) return;
    warned.add(name);
    logger.warn('transport: cannot record metric', {
      metric: name,
      error: error instanceof Error ? error.message : String(error),
    });
  };
  const full = Object.fromEntries(
    Object.values(TransportMetric).map((name) => [name, `transport.${name}`]),
  ) as Record<TransportMetric, string>;
  // try/catch inline, no closure per call: these run several times per message
  return {
    inc: (name) => {
      try {
        metrics.inc(full[name]);
      } catch (error) {
        failed(name, error);
      }
    },
    observe: (name, ms) => {
      try {
        metrics.observe(full[name], ms);
      } catch (error) {
        failed(name, error);
      }
    },
  };
};
