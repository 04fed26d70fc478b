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
