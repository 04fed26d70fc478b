/**
 * Topic patterns, shared by retry policies and middleware scopes: an exact
 * name, a prefix ending in `.` or `*`, or `*` for every topic.
 *
 * @packageDocumentation
 */

/**
 * How specific `pattern` is for `topic`: -1 when it does not match, otherwise a
 * rank where an exact name beats every prefix, a longer prefix beats a shorter
 * one, and `*` ranks lowest (0).
 *
 * - `orders.created` matches only `orders.created`;
 * - `orders.` and `orders.*` match every topic starting with `orders.`;
 * - `orders*` matches every topic starting with `orders`;
 * - `*` (and `''`) match every topic.
 */
export const matchTopicPattern = (pattern: string, topic: string): number => {
  if (pattern === '' || pattern === '*') return 0;
  if (pattern.endsWith('*')) {
    const prefix = pattern.slice(0, -1);
    return topic.startsWith(prefix) ? prefix.length + 1 : -1;
  }
  if (pattern.endsWith('.')) return topic.startsWith(pattern) ? pattern.length + 1 : -1;
  return pattern === topic ? Infinity : -1;
};

/**
 * The entries of `table` whose key matches `topic`, least specific first (so
 * that spreading them in order lets the most specific win).
 */
export const matchingEntries = <V>(table: Readonly<Record<string, V>>, topic: string): V[] =>
  Object.entries(table)
    .map(([pattern, value]) => ({ rank: matchTopicPattern(pattern, topic), value }))
    .filter(({ rank }) => rank >= 0)
    .sort((a, b) => a.rank - b.rank)
    .map(({ value }) => value);
