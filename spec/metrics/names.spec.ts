import { InvalidMetricNameError } from '../../src/metrics/errors';
import { assertMetricName, normalizeMetricPrefix, sanitizeMetricName } from '../../src/metrics/names';

describe('metrics/names', () => {
  it('accepts Prometheus names in dot-separated segments', () => {
    for (const good of ['a', 'errors_total', 'db.query_ms', ':colon', '_x.y.z9', 'A.B:c', 'x'.repeat(200)]) {
      expect(() => assertMetricName(good))
        .withContext(good)
        .not.toThrow();
    }
  });

  it('rejects anything else with InvalidMetricNameError', () => {
    for (const bad of ['', '1a', 'a b', 'a-b', 'a..b', 'a.', '.a', 'é', 'a{b}', 'x'.repeat(201)]) {
      expect(() => assertMetricName(bad))
        .withContext(bad)
        .toThrowMatching(
          (e) => e instanceof InvalidMetricNameError && e.metric === bad && e.reason.length > 0,
        );
    }
  });

  it('normalizes prefixes, adding the missing dot', () => {
    expect(normalizeMetricPrefix('db')).toBe('db.');
    expect(normalizeMetricPrefix('db.')).toBe('db.');
    expect(normalizeMetricPrefix('a.b')).toBe('a.b.');
    expect(normalizeMetricPrefix('')).toBe('');
  });

  it('rejects prefixes no valid name could start with', () => {
    for (const bad of ['.', '1db', 'db..', 'a b', 'x'.repeat(200)]) {
      expect(() => normalizeMetricPrefix(bad))
        .withContext(bad)
        .toThrowError(InvalidMetricNameError);
    }
  });

  it('sanitizes names for Prometheus', () => {
    expect(sanitizeMetricName('db.query_ms')).toBe('db_query_ms');
    expect(sanitizeMetricName('ok:name_1')).toBe('ok:name_1');
    expect(sanitizeMetricName('9lives')).toBe('_9lives');
    expect(sanitizeMetricName('a-b c')).toBe('a_b_c');
    expect(sanitizeMetricName('')).toBe('_');
  });
});
