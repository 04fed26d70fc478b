import {
  DEFAULT_MAX_MSG_TIMEOUT_MS,
  DEFAULT_MSG_TIMEOUT_MS,
  MAX_AUTO_TOUCH_MS,
  MAX_DEFER_MS,
  MAX_FILE_CHUNK_SIZE,
  MAX_JSON_DEPTH,
  MAX_REQUEUE_DELAY_MS,
  MAX_TTL_MS,
} from '../../src/constant/index.js';

describe('limits', () => {
  it('MAX_FILE_CHUNK_SIZE is 2 MiB', () => {
    expect(MAX_FILE_CHUNK_SIZE).toBe(2_097_152);
  });

  it('MAX_JSON_DEPTH is a positive integer', () => {
    expect(Number.isInteger(MAX_JSON_DEPTH)).toBeTrue();
    expect(MAX_JSON_DEPTH).toBe(512);
  });

  it('MAX_TTL_MS is the longest host timer, 2^31 - 1 ms', () => {
    expect(MAX_TTL_MS).toBe(2 ** 31 - 1);
  });

  it("the requeue cap is nsqd's default --max-req-timeout, 1 h, under both names", () => {
    expect(MAX_REQUEUE_DELAY_MS).toBe(3_600_000);
    expect(MAX_DEFER_MS).toBe(MAX_REQUEUE_DELAY_MS);
  });

  it("message timeouts are nsqd's defaults: 60 s, at most 15 min, and auto-touch stops at the latter", () => {
    expect(DEFAULT_MSG_TIMEOUT_MS).toBe(60_000);
    expect(DEFAULT_MAX_MSG_TIMEOUT_MS).toBe(15 * 60_000);
    expect(MAX_AUTO_TOUCH_MS).toBe(DEFAULT_MAX_MSG_TIMEOUT_MS);
  });
});
