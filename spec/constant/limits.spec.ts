import { MAX_FILE_CHUNK_SIZE, MAX_JSON_DEPTH } from '../../src/constant/index.js';

describe('limits', () => {
  it('MAX_FILE_CHUNK_SIZE is 2 MiB', () => {
    expect(MAX_FILE_CHUNK_SIZE).toBe(2_097_152);
  });

  it('MAX_JSON_DEPTH is a positive integer', () => {
    expect(Number.isInteger(MAX_JSON_DEPTH)).toBeTrue();
    expect(MAX_JSON_DEPTH).toBe(512);
  });
});
