import { matchTopicPattern, matchingEntries } from '../../src/transport/topicPattern.js';

describe('transport/topicPattern', () => {
  it('matches an exact name only itself, ranking it above every prefix', () => {
    expect(matchTopicPattern('orders.created', 'orders.created')).toBe(Infinity);
    expect(matchTopicPattern('orders.created', 'orders.created.eu')).toBe(-1);
  });

  it('matches "x." and "x.*" as the same prefix, and "x*" without the dot', () => {
    expect(matchTopicPattern('orders.', 'orders.created')).toBe(8);
    expect(matchTopicPattern('orders.*', 'orders.created')).toBe(8);
    expect(matchTopicPattern('orders.', 'orders')).toBe(-1);
    expect(matchTopicPattern('orders*', 'orders_v2')).toBe(7);
    expect(matchTopicPattern('users.', 'orders.created')).toBe(-1);
  });

  it('matches "*" and "" against everything at the lowest rank', () => {
    expect(matchTopicPattern('*', 'x')).toBe(0);
    expect(matchTopicPattern('', 'x')).toBe(0);
  });

  it('orders matching entries from least to most specific', () => {
    expect(matchingEntries({ 'a.b': 3, '*': 1, 'c.': 4, 'a.': 2 }, 'a.b')).toEqual([1, 2, 3]);
    expect(matchingEntries({ 'c.': 4 }, 'a.b')).toEqual([]);
  });
});
