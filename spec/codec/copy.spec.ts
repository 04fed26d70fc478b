import fc from 'fast-check';
import { type JsonObject, type Message, copy } from '../../src/codec/index.js';

describe('copy', () => {
  const original = (): Message => ({
    type: 'request',
    node: 'a',
    contextID: 'c1',
    header: { traceparent: 't' },
    body: { list: [1, { deep: 'x' }], obj: { n: 1 } },
    rawBody: new Uint8Array([1, 2, 3]),
    statusCode: 200,
  });

  it('gives an equal message', () => {
    expect(copy(original())).toEqual(original());
  });

  it('shares nothing mutable with the original', () => {
    const a = original();
    const b = copy(a);
    (b.header as Record<string, string>)['traceparent'] = 'changed';
    ((b.body?.['list'] as unknown[])[1] as Record<string, string>)['deep'] = 'changed';
    ((b.body?.['obj'] as Record<string, number>)['n'] as number) = 2;
    b.rawBody![0] = 9;
    expect(a).toEqual(original());
  });

  it('copies rawBody into a buffer of its own, even a view of a larger one', () => {
    const big = new Uint8Array([0, 1, 2, 3, 4, 5]);
    const msg: Message = { type: 'stream', rawBody: big.subarray(2, 4) };
    const copied = copy(msg).rawBody!;
    expect(copied).toEqual(new Uint8Array([2, 3]));
    expect(copied.buffer).not.toBe(big.buffer);
  });

  it('adds no fields the original lacks', () => {
    expect(Object.keys(copy({ type: 'event' }))).toEqual(['type']);
  });

  it('keeps a __proto__ body key as data', () => {
    const body = JSON.parse('{"__proto__":{"polluted":true}}') as JsonObject;
    const copied = copy({ type: 'event', body });
    expect(Object.getPrototypeOf(copied.body)).toBe(Object.prototype);
    expect(Object.keys(copied.body ?? {})).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('equals its source for any message (1,000 runs)', () => {
    const messages = fc.record(
      {
        type: fc.string(),
        node: fc.string(),
        header: fc.dictionary(fc.string(), fc.string()),
        body: fc
          .dictionary(fc.string(), fc.jsonValue())
          .map((b) => JSON.parse(JSON.stringify(b)) as JsonObject),
        rawBody: fc.uint8Array({ maxLength: 64 }),
      },
      { requiredKeys: ['type'] },
    );
    fc.assert(
      fc.property(messages, (msg) => {
        expect(copy(msg)).toEqual(msg);
      }),
      { numRuns: 1000 },
    );
  });
});
