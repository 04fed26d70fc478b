import {
  isSizeRefusal,
  parseConfigSize,
  parseSizeRefusal,
  planAfterRefusal,
} from '../../../src/broker/nsq/limits.js';

describe('nsqd size limits', () => {
  describe('parseSizeRefusal', () => {
    it('reads the limit nsqd v1.3.0 names when a PUB, DPUB or MPUB message is too big', () => {
      for (const command of ['PUB', 'DPUB', 'MPUB']) {
        expect(parseSizeRefusal(`E_BAD_MESSAGE ${command} message too big 102400 > 65536`))
          .withContext(command)
          .toEqual({ limit: 'maxMessageBytes', size: 102_400, max: 65_536 });
      }
    });

    it('reads the limit nsqd names when an MPUB body is too big', () => {
      expect(parseSizeRefusal('E_BAD_BODY MPUB body too big 245780 > 131072')).toEqual({
        limit: 'maxBodyBytes',
        size: 245_780,
        max: 131_072,
      });
    });

    it('names no limit for the other refusals, or a code that does not match what is too big', () => {
      for (const reason of [
        'E_BAD_BODY MPUB invalid message count 0',
        'E_BAD_MESSAGE MPUB invalid message(3) body size 0',
        'E_BAD_MESSAGE MPUB failed to read message body',
        'E_BAD_TOPIC PUB topic name "a b" is not valid',
        'E_BAD_BODY MPUB message too big 10 > 5',
        'E_BAD_MESSAGE MPUB body too big 10 > 5',
        'E_BAD_MESSAGE PUB message too big 10 > 0',
        'nsqd connection closed',
        '',
      ]) {
        expect(parseSizeRefusal(reason)).withContext(reason).toBeUndefined();
      }
    });
  });

  it('isSizeRefusal: E_BAD_MESSAGE and E_BAD_BODY only', () => {
    expect(isSizeRefusal('E_BAD_MESSAGE PUB message too big 2 > 1')).toBeTrue();
    expect(isSizeRefusal('E_BAD_BODY MPUB invalid message count 0')).toBeTrue();
    expect(isSizeRefusal('E_BAD_TOPIC PUB topic name "x!" is not valid')).toBeFalse();
    expect(isSizeRefusal('E_UNAUTHORIZED AUTH failed')).toBeFalse();
    expect(isSizeRefusal('nsqd connection closed')).toBeFalse();
  });

  it('parseConfigSize: a positive integer, as nsqd answers GET /config/max_msg_size', () => {
    expect(parseConfigSize(65_536)).toBe(65_536);
    for (const body of [0, -1, 1.5, '65536', null, undefined, { max_msg_size: 1 }, Number.NaN]) {
      expect(parseConfigSize(body)).withContext(String(body)).toBeUndefined();
    }
  });

  describe('planAfterRefusal', () => {
    const size = (n: number): number => n;

    it('fails only the message over the limit the refusal taught, and re-batches the others', () => {
      expect(planAfterRefusal([10, 100, 20, 30], size, 64, true)).toEqual({
        tooLarge: [100],
        refused: [],
        resend: [10, 20, 30],
        alone: false,
      });
    });

    it('re-batches all of them when the refusal taught a lower body limit', () => {
      expect(planAfterRefusal([60, 60, 60], size, 64, true)).toEqual({
        tooLarge: [],
        refused: [],
        resend: [60, 60, 60],
        alone: false,
      });
    });

    it('sends each one alone when the refusal named no new limit', () => {
      expect(planAfterRefusal([10, 20, 30], size, 64, false)).toEqual({
        tooLarge: [],
        refused: [],
        resend: [10, 20, 30],
        alone: true,
      });
    });

    it('fails a lone message: over the limit it is too large, else it is refused', () => {
      expect(planAfterRefusal([100], size, 64, true)).toEqual({
        tooLarge: [100],
        refused: [],
        resend: [],
        alone: false,
      });
      expect(planAfterRefusal([10], size, 64, false)).toEqual({
        tooLarge: [],
        refused: [10],
        resend: [],
        alone: false,
      });
    });

    it('keeps the order of the messages it sends again', () => {
      const batch = Array.from({ length: 50 }, (_, i) => (i % 10 === 3 ? 1_000 : i + 1));
      const plan = planAfterRefusal(batch, size, 64, true);
      expect(plan.resend).toEqual(batch.filter((n) => n <= 64));
      expect(plan.tooLarge).toEqual(batch.filter((n) => n > 64));
    });
  });
});
