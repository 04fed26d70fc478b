import * as t from 'io-ts';
import { map, of } from 'rxjs';
import type { TestScheduler } from 'rxjs/testing';
import type { JsonValue } from '../../src/codec/json.js';
import type { Message } from '../../src/codec/message.js';
import { PayloadDecodeError } from '../../src/codec/payload.js';
import { HeaderKey } from '../../src/constant/index.js';
import { deadLetter } from '../../src/operators/deadLetter.js';
import { decodePayload } from '../../src/operators/decodePayload.js';
import { retryWithBackoff } from '../../src/operators/retryWithBackoff.js';
import { testDelivery, type TestDelivery } from '../../src/testing/testDelivery.js';
import type { Delivery, FailHandler } from '../../src/delivery/types.js';
import { testScheduler } from '../helpers/marbles.js';

const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

/** A delivery as a `payload` subscription makes it: an event carrying the bytes in `rawBody`. */
const raw = (ts: TestScheduler, id: string, bytes: Uint8Array): TestDelivery =>
  testDelivery({
    id,
    topic: 'clicks',
    scheduler: ts,
    message: { type: 'event', contextID: id, rawBody: bytes },
  });

const Click = t.type({ x: t.number, y: t.number });

const inputs = map((d: Delivery<unknown>) => d.input);

/** Records the error of each failure, then finishes the delivery. */
const recordFailures =
  (seen: unknown[]): FailHandler =>
  (failure) => (seen.push(failure.error), failure.finish() ? 'finished' : 'ignored');

describe('operators/decodePayload', () => {
  it('completes at once on an empty source', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold<Delivery>('|');
      expectObservable(source.pipe(decodePayload('json'))).toBe('|');
      expectSubscriptions(source.subscriptions).toBe('(^!)');
    });
  });

  it("passes one delivery on with its JSON as input ('json')", () => {
    const ts = testScheduler();
    const a = raw(ts, 'a', utf8('{"x":1,"tags":["a"],"nil":null}'));
    ts.run(({ cold, expectObservable }) => {
      expectObservable(cold('-a|', { a }).pipe(decodePayload('json'), inputs)).toBe('-a|', {
        a: { x: 1, tags: ['a'], nil: null },
      });
    });
    expect(a.acks).toEqual([]);
  });

  it('passes many on, any JSON value (not only objects), and fails each that is not JSON', () => {
    const ts = testScheduler();
    const values = {
      a: raw(ts, 'a', utf8('[1,2]')),
      b: raw(ts, 'b', utf8('{"x":')),
      c: raw(ts, 'c', utf8('"text"')),
      d: raw(ts, 'd', new Uint8Array([0xff, 0xfe])),
      e: raw(ts, 'e', utf8('null')),
    };
    ts.run(({ cold, expectObservable }) => {
      expectObservable(cold('abcde|', values).pipe(decodePayload('json'), inputs)).toBe('a-c-e|', {
        a: [1, 2],
        c: 'text',
        e: null,
      });
    });
    // no failure handlers on a test delivery: failed means requeued at once
    expect(values.b.acks).toEqual([{ kind: 'requeue', delayMs: 0, at: 1 }]);
    expect(values.d.acks).toEqual([{ kind: 'requeue', delayMs: 0, at: 3 }]);
  });

  it("hands the bytes over as they are ('bytes'), even those that are not UTF-8", () => {
    const ts = testScheduler();
    const bytes = new Uint8Array([0, 1, 2, 0xff]);
    const a = raw(ts, 'a', bytes);
    ts.run(({ cold, expectObservable }) => {
      expectObservable(cold('a|', { a }).pipe(decodePayload('bytes'), inputs)).toBe('a|', { a: bytes });
    });
  });

  it('decodes with an io-ts codec and fails what it refuses with a PayloadDecodeError listing every field', () => {
    const ts = testScheduler();
    const good = raw(ts, 'good', utf8('{"x":1,"y":2}'));
    const bad = raw(ts, 'bad', utf8('{"x":"one"}'));
    const seen: unknown[] = [];
    ts.run(({ cold, expectObservable }) => {
      expectObservable(
        cold('ab|', { a: good, b: bad.withFailHandler(recordFailures(seen)) }).pipe(
          decodePayload(Click),
          inputs,
        ),
      ).toBe('a-|', { a: { x: 1, y: 2 } });
    });
    const [error] = seen as PayloadDecodeError[];
    expect(error).toBeInstanceOf(PayloadDecodeError);
    expect(error?.name).toBe('PayloadDecodeError');
    expect(error?.code).toBe('DECODE');
    expect(error?.topic).toBe('clicks');
    expect(error?.payload).toBe(Click.name);
    expect(error?.issues.map((i) => [i.path, i.expected])).toEqual([
      ['x', 'number'],
      ['y', 'required'],
    ]);
    expect(bad.acks).toEqual([{ kind: 'finish', at: 1 }]);
  });

  it('types input from the payload', () => {
    const ts = testScheduler();
    const a = raw(ts, 'a', utf8('{"x":1,"y":2}'));
    let x: number | undefined;
    let json: JsonValue | undefined;
    let bytes: Uint8Array | undefined;
    of(a)
      .pipe(decodePayload(Click))
      .subscribe((d) => (x = d.input.x));
    of(a)
      .pipe(decodePayload('json'))
      .subscribe((d) => (json = d.input));
    of(a)
      .pipe(decodePayload('bytes'))
      .subscribe((d) => (bytes = d.input));
    expect([x, json, bytes?.length]).toEqual([1, { x: 1, y: 2 }, 13]);
  });

  it('dead-letters a bad payload at once behind retryWithBackoff, its bytes kept in the letter', () => {
    const ts = testScheduler();
    const bytes = utf8('not json');
    const bad = raw(ts, 'bad', bytes);
    const letters: Message[] = [];
    ts.run(({ cold, expectObservable }) => {
      const source = cold('-a|', { a: bad }).pipe(
        deadLetter({ publish: (_topic, letter) => of(letters.push(letter)) }),
        retryWithBackoff({ maxAttempts: 5 }),
        decodePayload('json'),
      );
      expectObservable(source).toBe('--|');
    });
    expect(bad.acks).toEqual([{ kind: 'finish', at: 1 }]);
    expect(letters.map((l) => [l.rawBody, l.header?.[HeaderKey.ERROR]])).toEqual([
      [bytes, jasmine.stringMatching(/^cannot decode message: payload of clicks as json: invalid JSON/)],
    ]);
  });

  it('fails a delivery that carries no raw bytes (an rxmini message with a body only)', () => {
    const ts = testScheduler();
    const a = testDelivery({ id: 'a', topic: 'clicks', scheduler: ts, body: { x: 1 } });
    const seen: unknown[] = [];
    ts.run(({ cold, expectObservable }) => {
      expectObservable(
        cold('a|', { a: a.withFailHandler(recordFailures(seen)) }).pipe(decodePayload('json')),
      ).toBe('-|');
    });
    expect((seen[0] as Error).message).toContain('carries no raw bytes');
  });

  it('propagates an error of the source', () => {
    const ts = testScheduler();
    const a = raw(ts, 'a', utf8('1'));
    ts.run(({ cold, expectObservable }) => {
      expectObservable(cold('a-#', { a }, new Error('source down')).pipe(decodePayload('json'), inputs)).toBe(
        'a-#',
        { a: 1 },
        new Error('source down'),
      );
    });
  });

  it('stays open on a never-ending source', () => {
    const ts = testScheduler();
    const a = raw(ts, 'a', utf8('1'));
    ts.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('a--', { a });
      expectObservable(source.pipe(decodePayload('json'), inputs)).toBe('a--', { a: 1 });
      expectSubscriptions(source.subscriptions).toBe('^');
    });
  });

  it('ends its source subscription on early unsubscribe, decoding nothing after', () => {
    const ts = testScheduler();
    const values = { a: raw(ts, 'a', utf8('1')), b: raw(ts, 'b', utf8('{')) };
    ts.run(({ hot, expectObservable, expectSubscriptions }) => {
      const source = hot('a---b-|', values);
      expectObservable(source.pipe(decodePayload('json'), inputs), '^--!').toBe('a', { a: 1 });
      expectSubscriptions(source.subscriptions).toBe('^--!');
    });
    expect(values.b.acks).toEqual([]);
  });

  it('fails the delivery (not the stream) when the codec throws, with what it threw as the cause', () => {
    const ts = testScheduler();
    const a = raw(ts, 'a', utf8('{}'));
    const b = raw(ts, 'b', utf8('{"x":1,"y":2}'));
    const thrown = new Error('codec exploded');
    const Exploding = new t.Type<never>(
      'Exploding',
      (_u): _u is never => false,
      () => {
        throw thrown;
      },
      (value) => value,
    );
    const seen: unknown[] = [];
    ts.run(({ cold, expectObservable }) => {
      expectObservable(
        cold('ab|', { a: a.withFailHandler(recordFailures(seen)), b }).pipe(decodePayload(Exploding)),
      ).toBe('--|');
    });
    expect(seen).toEqual([jasmine.any(PayloadDecodeError)]);
    expect((seen[0] as PayloadDecodeError).cause).toBe(thrown);
    expect(a.acks).toEqual([{ kind: 'finish', at: 0 }]);
    expect(b.acks).toEqual([{ kind: 'requeue', delayMs: 0, at: 1 }]);
  });

  it('errors the stream with NotADeliveryError on a spread copy of a delivery', () => {
    const copy = { ...testDelivery() } as Delivery;
    testScheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold('-a|', { a: copy }).pipe(decodePayload('json'))).toBe(
        '-#',
        undefined,
        jasmine.objectContaining({ name: 'NotADeliveryError', operator: 'decodePayload' }),
      );
    });
  });

  it("throws a TypeError when made with 'message' or something that is no payload", () => {
    expect(() => decodePayload('message' as never)).toThrowError(TypeError);
    expect(() => decodePayload({} as never)).toThrowError(TypeError);
    expect(() => decodePayload(undefined as never)).toThrowError(TypeError);
  });
});
