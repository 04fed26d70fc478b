/**
 * A steady stream of publishes for specs that stop or restart nsqd under it:
 * `prefix-N` every 2 ms until stopped, recording what nsqd acknowledged and
 * what failed.
 */
import type { NsqPublisher } from '../../src/broker/nsq/publisher.js';
import { sleep } from './wait.js';

/** A running {@link publishStream}. */
export interface PublishStream {
  /** Bodies nsqd acknowledged. */
  readonly acknowledged: Set<string>;
  /** Rejections, in order. */
  readonly failures: unknown[];
  /** Publishes made so far. */
  sent(): number;
  /** Stops publishing and waits until every publish made has settled. */
  stop(): Promise<void>;
}

/** Publishes `prefix-N` to `topic` every 2 ms until `stop()`. */
export const publishStream = (publisher: NsqPublisher, topic: string, prefix: string): PublishStream => {
  const acknowledged = new Set<string>();
  const failures: unknown[] = [];
  const settled: Promise<void>[] = [];
  let running = true;
  let sent = 0;
  const loop = (async () => {
    while (running) {
      const body = `${prefix}-${sent++}`;
      settled.push(
        publisher.publish(topic, body).then(
          () => void acknowledged.add(body),
          (e: unknown) => void failures.push(e),
        ),
      );
      await sleep(2);
    }
  })();
  return {
    acknowledged,
    failures,
    sent: () => sent,
    stop: async () => {
      running = false;
      await loop;
      await Promise.all(settled);
    },
  };
};
