/**
 * Prefix subscriptions: one stream over every topic that starts with a prefix,
 * following the broker's topic list as topics come and go.
 *
 * @packageDocumentation
 */
import { left, right, type Either } from 'fp-ts/lib/Either.js';
import {
  Observable,
  catchError,
  defer,
  exhaustMap,
  map,
  of,
  take,
  timer,
  type SchedulerLike,
  type Subscription,
} from 'rxjs';
import { DiscoveryError, ErrorCode, isRxMiniError } from '../errors.js';
import type { ILogger } from '../logger/types.js';
import type { Broker } from '../broker/types.js';
import { DEAD_LETTER_SUFFIX } from '../delivery/deadLetter.js';
import type { Delivery } from '../delivery/types.js';
import type { DiscoveryEvent } from './types.js';

/** Default poll interval of a prefix subscription, in ms. */
export const DEFAULT_POLL_INTERVAL_MS = 1_000;

/** Default bound of failed topic listings in a row before a prefix subscription errors. */
export const DEFAULT_MAX_LIST_FAILURES = 5;

/** Which topics a prefix subscription takes. */
export interface PrefixFilter {
  readonly prefix: string;
  readonly includeInternal: boolean;
  readonly includeDeadLetter: boolean;
  /** The dead-letter topic of a topic (to leave dead-letter topics out). */
  readonly deadLetterTopic: (topic: string) => string;
}

const safeDeadLetterTopic = (filter: PrefixFilter, topic: string): string | undefined => {
  try {
    return filter.deadLetterTopic(topic);
  } catch {
    return undefined;
  }
};

/**
 * The topics of `topics` a prefix subscription consumes: those starting with
 * the prefix (`''` or `*` for all; a trailing `*` is ignored), without internal
 * topics (`_…`, unless the prefix itself starts with `_` or `includeInternal`)
 * and without dead-letter topics (`….dead`, or the dead-letter topic of another
 * listed topic, unless `includeDeadLetter`).
 */
export const matchingTopics = (topics: readonly string[], filter: PrefixFilter): string[] => {
  const prefix = filter.prefix.endsWith('*') ? filter.prefix.slice(0, -1) : filter.prefix;
  const internalOk = filter.includeInternal || prefix.startsWith('_');
  const deadLetters = filter.includeDeadLetter
    ? new Set<string>()
    : new Set(topics.map((t) => safeDeadLetterTopic(filter, t)).filter((t): t is string => t !== undefined));
  return topics.filter(
    (topic) =>
      topic.startsWith(prefix) &&
      (internalOk || !topic.startsWith('_')) &&
      (filter.includeDeadLetter || (!topic.endsWith(DEAD_LETTER_SUFFIX) && !deadLetters.has(topic))),
  );
};

/** What {@link consumePrefix} needs. */
export interface PrefixContext {
  readonly broker: Broker;
  readonly scheduler: SchedulerLike;
  readonly logger: ILogger;
  /** Where listing failures and recoveries go (the transport's `discovery$`). */
  readonly report: (event: DiscoveryEvent) => void;
}

/** How often a prefix subscription polls, and how many failed listings in a row it bears. */
export interface PollPolicy {
  readonly pollIntervalMs: number;
  readonly maxListFailures: number;
}

/** Failures that will not go away by trying the same topic again. */
const isPermanent = (error: unknown): boolean =>
  isRxMiniError(error, ErrorCode.INVALID_NAME) || isRxMiniError(error, ErrorCode.CONFIG);

const asError = (error: unknown): Error => (error instanceof Error ? error : new Error(String(error)));

/**
 * Polls the broker's topic list every `pollIntervalMs` (the first poll at
 * once), opens `consume(topic)` for every new matching topic and closes the
 * consumer of a topic that is no longer listed; all merged into one stream.
 * A failed listing is logged, reported (`listing-failed`) and tried again at the
 * next poll; at `maxListFailures` failures in a row the stream errors with a
 * {@link DiscoveryError} (its consumers close). A listing that succeeds after
 * failures resets the count and is reported (`listing-recovered`). A consumer that fails is
 * logged and opened again at the next poll, unless its failure is permanent (an
 * invalid name or policy), in which case the topic is skipped while it stays listed.
 */
export const consumePrefix = (
  ctx: PrefixContext,
  filter: PrefixFilter,
  policy: PollPolicy,
  consume: (topic: string) => Observable<Delivery>,
): Observable<Delivery> =>
  new Observable<Delivery>((subscriber) => {
    const active = new Map<string, Subscription>();
    const skipped = new Set<string>();
    const log = ctx.logger.with('prefix', filter.prefix);

    const open = (topic: string): void => {
      const subscription = consume(topic).subscribe({
        next: (delivery) => subscriber.next(delivery),
        error: (error: unknown) => {
          if (active.get(topic) === subscription) active.delete(topic);
          if (isPermanent(error)) skipped.add(topic);
          log.warn('transport: prefix consumer failed', {
            topic,
            error: error instanceof Error ? error.message : String(error),
          });
        },
        complete: () => {
          if (active.get(topic) === subscription) active.delete(topic);
        },
      });
      // a consumer that failed at once is not kept
      if (!subscription.closed) active.set(topic, subscription);
    };

    const onTopics = (topics: readonly string[]): void => {
      const wanted = new Set(matchingTopics(topics, filter));
      for (const topic of skipped) if (!wanted.has(topic)) skipped.delete(topic);
      for (const [topic, subscription] of active) {
        if (wanted.has(topic)) continue;
        active.delete(topic);
        subscription.unsubscribe();
        log.debug('transport: prefix topic gone', { topic });
      }
      for (const topic of wanted) {
        if (active.has(topic) || skipped.has(topic)) continue;
        log.debug('transport: prefix topic found', { topic });
        open(topic);
      }
    };

    let failures = 0;
    const onListing = (listing: Either<Error, readonly string[]>): void => {
      if (listing._tag === 'Right') {
        if (failures > 0) ctx.report({ type: 'listing-recovered', prefix: filter.prefix, failures });
        failures = 0;
        onTopics(listing.right);
        return;
      }
      failures += 1;
      const { maxListFailures } = policy;
      log.warn('transport: listing topics failed', {
        error: listing.left.message,
        failures,
        maxListFailures,
      });
      ctx.report({
        type: 'listing-failed',
        prefix: filter.prefix,
        failures,
        maxListFailures,
        error: listing.left,
      });
      if (failures >= maxListFailures) {
        subscriber.error(new DiscoveryError(filter.prefix, failures, { cause: listing.left }));
      }
    };

    const poll = timer(0, policy.pollIntervalMs, ctx.scheduler)
      .pipe(
        exhaustMap(() =>
          defer(() => ctx.broker.listTopics()).pipe(
            take(1),
            map((topics) => right<Error, readonly string[]>(topics)),
            catchError((error: unknown) => of(left<Error, readonly string[]>(asError(error)))),
          ),
        ),
      )
      .subscribe({
        next: onListing,
        error: (error: unknown) => subscriber.error(error),
      });

    return () => {
      poll.unsubscribe();
      for (const subscription of active.values()) subscription.unsubscribe();
      active.clear();
    };
  });
