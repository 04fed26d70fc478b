import { HealthStatus, HealthStatusName, StatusCode, isHealthStatus } from '../../src/constant/index.js';

describe('StatusCode', () => {
  it('uses HTTP numbering for the five outcomes', () => {
    expect({ ...StatusCode }).toEqual({
      OK: 200,
      BAD_REQUEST: 400,
      NOT_FOUND: 404,
      INTERNAL: 500,
      TIMEOUT: 504,
    });
  });

  it('derives a union type of exactly its values', () => {
    const code: StatusCode = 504;
    // @ts-expect-error 418 is not an rxmini status code
    const other: StatusCode = 418;
    expect([code, other] as unknown[]).toEqual([504, 418]);
  });
});

describe('HealthStatus', () => {
  it('orders OK < WARNING < CRITICAL as 0, 1, 2', () => {
    expect({ ...HealthStatus }).toEqual({ OK: 0, WARNING: 1, CRITICAL: 2 });
    expect(HealthStatus.OK).toBeLessThan(HealthStatus.WARNING);
    expect(HealthStatus.WARNING).toBeLessThan(HealthStatus.CRITICAL);
  });

  it('has a name for every level, equal to its key', () => {
    for (const [key, value] of Object.entries(HealthStatus)) {
      expect(HealthStatusName[value]).toBe(key as HealthStatusName);
    }
    expect(Object.keys(HealthStatusName).length).toBe(Object.keys(HealthStatus).length);
  });

  it('types the name lookup without a cast', () => {
    const name: HealthStatusName = HealthStatusName[HealthStatus.CRITICAL];
    expect(name).toBe('CRITICAL');
  });
});

describe('isHealthStatus', () => {
  it('accepts 0, 1 and 2 only', () => {
    expect([0, 1, 2].every(isHealthStatus)).toBeTrue();
    for (const value of [-1, 3, 1.5, '1', null, undefined, NaN]) {
      expect(isHealthStatus(value)).withContext(String(value)).toBeFalse();
    }
  });
});
