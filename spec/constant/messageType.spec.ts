import { MessageType, isMessageType } from '../../src/constant/index.js';

describe('MessageType', () => {
  it('holds the six wire strings of the original, with health spelled "health"', () => {
    expect({ ...MessageType }).toEqual({
      REQUEST: 'request',
      RESPONSE: 'response',
      STREAM: 'stream',
      EVENT: 'event',
      HEALTH: 'health',
      PUBLISH: 'publish',
    });
  });

  it('has no two types sharing a wire string', () => {
    const values = Object.values(MessageType);
    expect(new Set(values).size).toBe(values.length);
  });

  it('derives a union type of exactly its values', () => {
    const ok: MessageType = 'stream';
    // @ts-expect-error the Go original's camel-case health type is not a MessageType
    const bad: MessageType = 'healthCheck';
    expect([ok, bad] as unknown[]).toEqual(['stream', 'healthCheck']);
  });
});

describe('isMessageType', () => {
  it('accepts every MessageType value', () => {
    for (const value of Object.values(MessageType))
      expect(isMessageType(value)).withContext(value).toBeTrue();
  });

  it('rejects other strings, other casings and non-strings', () => {
    for (const value of ['healthCheck', 'REQUEST', 'Request', '', ' request', null, undefined, 0, {}]) {
      expect(isMessageType(value)).withContext(String(value)).toBeFalse();
    }
  });
});
