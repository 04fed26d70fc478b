import { HeaderKey, MessageType } from '../../src/constant/index.js';
import {
  deadLetterOf,
  deadLetterReason,
  defaultDeadLetterTopic,
  undecodableDeadLetter,
} from '../../src/delivery/deadLetter.js';

describe('delivery/deadLetter', () => {
  it('names the dead-letter topic <topic>.dead, dropping #ephemeral', () => {
    expect(defaultDeadLetterTopic('orders.created')).toBe('orders.created.dead');
    expect(defaultDeadLetterTopic('jobs#ephemeral')).toBe('jobs.dead');
    expect(defaultDeadLetterTopic('x'.repeat(59))).toBe(`${'x'.repeat(59)}.dead`);
  });

  it('derives a valid name, the same every time, when <topic>.dead would be over 64 characters', () => {
    const long = `orders.${'a'.repeat(53)}`; // 60 characters
    const other = `orders.${'a'.repeat(52)}b`; // the same first 50
    const derived = defaultDeadLetterTopic(long);
    expect(derived.length).toBe(64);
    expect(derived).toMatch(/^[.a-zA-Z0-9_-]+$/);
    expect(derived).toMatch(new RegExp(`^${long.slice(0, 50)}-[0-9a-f]{8}\\.dead$`));
    expect(defaultDeadLetterTopic(long)).toBe(derived);
    expect(defaultDeadLetterTopic(`${long}#ephemeral`)).toBe(derived);
    expect(defaultDeadLetterTopic(other)).not.toBe(derived);
    expect(defaultDeadLetterTopic('y'.repeat(64)).length).toBe(64);
  });

  it('keeps the failed message and adds the reason, topic and attempts to its header', () => {
    const msg = { type: 'event', contextID: 'c1', header: { a: 'b' }, body: { x: 1 } };
    expect(deadLetterOf(msg, { reason: 'db down', topic: 't', attempts: 5 })).toEqual({
      ...msg,
      header: {
        a: 'b',
        [HeaderKey.ERROR]: 'db down',
        [HeaderKey.ORIGINAL_TOPIC]: 't',
        [HeaderKey.ATTEMPTS]: '5',
      },
    });
    expect(msg.header).toEqual({ a: 'b' });
  });

  it('wraps undecodable bytes untouched in an event', () => {
    const bytes = new Uint8Array([1, 2, 3]);
    const letter = undecodableDeadLetter(bytes, { reason: 'bad', topic: 't', attempts: 1 });
    expect(letter.type).toBe(MessageType.EVENT);
    expect(letter.contextID).toMatch(/^[0-9a-f-]{36}$/);
    expect(letter.rawBody).toBe(bytes);
    expect(letter.header).toEqual({
      [HeaderKey.ERROR]: 'bad',
      [HeaderKey.ORIGINAL_TOPIC]: 't',
      [HeaderKey.ATTEMPTS]: '1',
    });
  });

  it('turns anything thrown into a reason', () => {
    expect(deadLetterReason(new Error('boom'))).toBe('boom');
    expect(deadLetterReason(new TypeError(''))).toBe('TypeError');
    expect(deadLetterReason('plain')).toBe('plain');
    expect(deadLetterReason(42)).toBe('42');
    expect(deadLetterReason(Object.create(null))).toBe('unknown error');
  });
});
