import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import { toFieldIssues } from '../../src/codec/index.js';

const issuesOf = <A>(codec: t.Decoder<unknown, A>, value: unknown, prefix?: string) => {
  const result = codec.decode(value);
  if (E.isRight(result)) throw new Error('expected a failure');
  return toFieldIssues(result.left, prefix);
};

describe('toFieldIssues', () => {
  const User = t.type({ name: t.string, tags: t.array(t.string), address: t.type({ zip: t.number }) });

  it('reports a missing field as required, without an actual value', () => {
    const [issue] = issuesOf(t.type({ email: t.string }), {});
    expect(issue).toEqual({ path: 'email', expected: 'required', message: 'email: required' });
    expect(issue && 'actual' in issue).toBeFalse();
  });

  it('lists every failing field with a dotted path, including array indexes', () => {
    const issues = issuesOf(User, { name: 1, tags: ['a', 2], address: { zip: 'x' } });
    expect(issues.map((i) => i.path)).toEqual(['name', 'tags.1', 'address.zip']);
    expect(issues[1]).toEqual({
      path: 'tags.1',
      expected: 'string',
      actual: 2,
      message: 'tags.1: expected string, got number 2',
    });
  });

  it('does not put intersection member indexes into paths, even under t.exact', () => {
    const codec = t.exact(t.intersection([t.type({ a: t.string }), t.partial({ b: t.number })]));
    expect(issuesOf(codec, { a: 1, b: 'x' }).map((i) => i.path)).toEqual(['a', 'b']);
  });

  it('prefixes paths, and uses the prefix alone for the root value', () => {
    expect(issuesOf(t.type({ a: t.string }), { a: 1 }, 'result')[0]?.path).toBe('result.a');
    expect(issuesOf(t.string, 5, 'result')[0]?.path).toBe('result');
    expect(issuesOf(t.string, 5)[0]?.message).toBe('value: expected string, got number 5');
  });

  it('keeps a custom message of the codec', () => {
    const Even = new t.Type<number>(
      'Even',
      (u): u is number => typeof u === 'number' && u % 2 === 0,
      (u, c) => (typeof u === 'number' && u % 2 === 0 ? t.success(u) : t.failure(u, c, 'must be even')),
      t.identity,
    );
    expect(issuesOf(t.type({ n: Even }), { n: 3 })[0]?.message).toBe('n: must be even');
  });

  it('shortens long strings in messages', () => {
    const message = issuesOf(t.number, 'x'.repeat(500))[0]?.message ?? '';
    expect(message.length).toBeLessThan(100);
    expect(message).toContain('…');
  });
});
