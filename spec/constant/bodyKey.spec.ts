import { BodyKey } from '../../src/constant/index.js';

describe('BodyKey', () => {
  it('names the error, result and input keys as the original does, and the issues of a 400', () => {
    expect({ ...BodyKey }).toEqual({ ERROR: 'error', RESULT: 'result', INPUT: 'input', ISSUES: 'issues' });
  });

  it('derives a union type of exactly its values', () => {
    const key: BodyKey = 'result';
    // @ts-expect-error only the body keys belong to the union
    const other: BodyKey = 'output';
    expect([key, other] as unknown[]).toEqual(['result', 'output']);
  });
});
