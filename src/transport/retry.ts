/**
 * Which retry policy the transport's `retry` option gives a topic.
 *
 * @packageDocumentation
 */
import type { Either } from 'fp-ts/lib/Either.js';
import { completeRetryPolicy } from '../delivery/retry.js';
import type { ConfigError } from '../errors.js';
import { matchingEntries } from './topicPattern.js';
import type { RetryPolicies } from './types.js';
import type { RetryPolicy } from '../delivery/types.js';

/**
 * The policy for `topic`: {@link DEFAULT_RETRY_POLICY}, overlaid by every
 * matching entry of `policies` from least to most specific (`*`, then shorter
 * then longer prefixes, then the exact name), then by `override`. Checked: a
 * bad combination gives a `ConfigError`.
 *
 * @see {@link RetryPolicies}
 */
export const resolveRetryPolicy = (
  policies: RetryPolicies,
  topic: string,
  override: Partial<RetryPolicy> = {},
): Either<ConfigError, RetryPolicy> => {
  return completeRetryPolicy([...matchingEntries(policies, topic), override], `retry policy of ${topic}`);
};
