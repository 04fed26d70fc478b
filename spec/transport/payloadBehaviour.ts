/**
 * The payload codecs (`payload: 'json' | 'bytes' | codec`, and `publish`'s
 * `payload`) as one suite for every transport: run on the memory transport
 * (spec/transport/payload.spec.ts) and on a real nsqd with a foreign producer
 * publishing through nsqd's HTTP `/pub` (spec/integration/nsq-payload.spec.ts).
 */
import { isLeft } from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import { firstValueFrom, map, take, toArray, type Observable } from 'rxjs';
import type { JsonValue } from '../../src/codec/json.js';
import type { Message } from '../../src/codec/message.js';
import { decode } from '../../src/codec/wire.js';
import { HeaderKey } from '../../src/constant/index.js';
import { BadRequestError, ConfigError } from '../../src/errors.js';
import { handleDeliveries } from '../../src/operators/handleDeliveries.js';
import type { Broker } from '../../src/broker/types.js';
import { operatorMiddleware } from '../../src/transport/middleware.js';
import type { Transport, TransportOptions } from '../../src/transport/types.js';
import type { Delivery } from '../../src/delivery/types.js';

/** What a factory gives the suite. */
export interface PayloadRig {
  /** The rxmini node under test. */
  readonly transport: Transport;
  /** The raw broker under it: a consumer that is not rxmini reads with it. */
  readonly broker: Broker;
  /** Puts `bytes` on `topic` as a producer that is not rxmini would (nsqd's HTTP `/pub` over NSQ). */
  readonly publishRaw: (topic: string, bytes: Uint8Array) => Promise<void>;
  /** Closes the transport, then the bus. */
  readonly teardown: () => Promise<void>;
}

/** Makes a fresh bus; `options` apply to the transport. */
export type PayloadRigFactory = (options: TransportOptions) => Promise<PayloadRig>;

let counter = 0;
/** A topic name no other spec uses (a real nsqd keeps topics between specs). */
export const uniqueTopic = (stem: string): string =>
  `${stem}.${Date.now().toString(36)}${(counter++).toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;

const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

/**
 * The first `count` bodies on `topic`, read with the raw broker layer (no
 * rxmini decoding at all), each finished; resolves once `send` has run after
 * the consumer was registered.
 */
export const readRaw = async (
  broker: Broker,
  topic: string,
  count: number,
  send: () => Promise<unknown>,
): Promise<Uint8Array[]> => {
  let onReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (onReady = resolve));
  const bodies = firstValueFrom(
    broker.consume({ topic, channel: 'foreign', maxInFlight: 10, lowLatency: true, onReady }).pipe(
      map((d) => {
        d.finish();
        return new Uint8Array(d.body);
      }),
      take(count),
      toArray(),
    ),
  );
  await ready;
  await send();
  return bodies;
};

/**
 * The first `count` deliveries of `source` (each finished), once it is ready
 * and `send` has run. The subscription stays open until the transport closes,
 * so that deliveries still on their way (a bad payload behind good ones) are
 * handled too.
 */
const consume = async <I>(
  source: Observable<Delivery<I>> & { ready: Promise<void> },
  count: number,
  send: () => Promise<unknown>,
): Promise<Delivery<I>[]> => {
  const seen: Delivery<I>[] = [];
  let enough: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (enough = resolve));
  source
    .pipe(
      handleDeliveries((d) => {
        seen.push(d);
        if (seen.length === count) enough();
      }),
    )
    .subscribe();
  await source.ready;
  await send();
  await done;
  return seen;
};

/** The decoded dead letters of `topic`, `count` of them, once `send` has run. */
const deadLetters = async (
  transport: Transport,
  topic: string,
  count: number,
  start: () => Promise<unknown>,
): Promise<Message[]> => {
  const letters$ = transport.subscribeTopic(topic, { channel: 'inspect' });
  const letters = await consume(letters$, count, start);
  return letters.map((d) => d.message);
};

/** Generous: a loaded machine, and a real nsqd. */
const SPEC_TIMEOUT_MS = 20_000;

const Click = t.type({ x: t.number, y: t.number });

/** A codec whose encoded form differs from its type: a number sent as a decimal string. */
const Cents = new t.Type<number, string, unknown>(
  'Cents',
  (u): u is number => typeof u === 'number',
  (u, c) => (typeof u === 'string' && /^\d+$/.test(u) ? t.success(Number(u)) : t.failure(u, c)),
  (n) => String(n),
);

/** The behavioural suite of the payload codecs on one transport. */
export const payloadBehaviour = (label: string, factory: PayloadRigFactory): void => {
  describe(`payload codecs (${label})`, () => {
    let rig: PayloadRig | undefined;
    const setUp = async (options: TransportOptions = {}): Promise<PayloadRig> => {
      rig = await factory({ drainTimeoutMs: 1_000, ...options });
      return rig;
    };

    afterEach(async () => {
      await rig?.teardown();
      rig = undefined;
    });

    it(
      "consumes plain JSON lines from a foreign producer with payload 'json'; the bad line is dead-lettered with its bytes",
      async () => {
        const { transport, publishRaw } = await setUp();
        const topic = uniqueTopic('json');
        const lines = ['{"id":7,"name":"Ada"}', '[1,2,3]', '"text"', '{"id":'];
        const consumed = consume(transport.subscribeTopic(topic, { payload: 'json' }), 3, async () => {
          for (const line of lines) await publishRaw(topic, utf8(line));
        });
        const letters = await deadLetters(transport, `${topic}.dead`, 1, () => consumed);
        const inputs: JsonValue[] = (await consumed).map((d) => d.input);
        expect(inputs).toEqual([{ id: 7, name: 'Ada' }, [1, 2, 3], 'text']);
        expect(letters.length).toBe(1);
        expect(letters[0]?.rawBody).toEqual(utf8('{"id":'));
        expect(letters[0]?.header?.[HeaderKey.ERROR]).toMatch(
          /^cannot decode message: payload of .* as json: invalid JSON/,
        );
        expect(letters[0]?.header?.[HeaderKey.ORIGINAL_TOPIC]).toBe(topic);
      },
      SPEC_TIMEOUT_MS,
    );

    it(
      'consumes JSON through an io-ts codec: input is typed and decoded, a refused line is dead-lettered naming its fields',
      async () => {
        const { transport, publishRaw } = await setUp();
        const topic = uniqueTopic('codec');
        const consumed = consume(transport.subscribeTopic(topic, { payload: Click }), 2, async () => {
          await publishRaw(topic, utf8('{"x":1,"y":2}'));
          await publishRaw(topic, utf8('{"x":"one","y":2}'));
          await publishRaw(topic, utf8('{"x":3,"y":4,"extra":true}'));
        });
        const letters = await deadLetters(transport, `${topic}.dead`, 1, () => consumed);
        // typed from the codec: a wrong field name would not compile
        const xs: number[] = (await consumed).map((d) => d.input.x);
        expect(xs).toEqual([1, 3]);
        expect(letters[0]?.rawBody).toEqual(utf8('{"x":"one","y":2}'));
        expect(letters[0]?.header?.[HeaderKey.ERROR]).toContain('x: expected number, got string "one"');
      },
      SPEC_TIMEOUT_MS,
    );

    it(
      "hands the bytes of payload 'bytes' over verbatim, even bytes that look like an rxmini frame",
      async () => {
        const { transport, publishRaw } = await setUp();
        const topic = uniqueTopic('bytes');
        const blobs = [
          new Uint8Array([0x00, 0x52, 0x58, 0x01, 0xff, 0xff]),
          new Uint8Array([0xde, 0xad, 0xbe, 0xef]),
        ];
        const consumed = await consume(transport.subscribeTopic(topic, { payload: 'bytes' }), 2, async () => {
          for (const blob of blobs) await publishRaw(topic, blob);
        });
        const inputs: Uint8Array[] = consumed.map((d) => d.input);
        expect(inputs).toEqual(blobs);
        expect(consumed.map((d) => d.message.type)).toEqual(['event', 'event']);
      },
      SPEC_TIMEOUT_MS,
    );

    it(
      'retries a foreign payload whose handler fails, as any delivery, then dead-letters it with its bytes',
      async () => {
        const { transport, publishRaw } = await setUp({
          retry: { '*': { maxAttempts: 2, initialDelayMs: 0, maxDelayMs: 0, jitter: 0 } },
        });
        const topic = uniqueTopic('retry');
        const attempts: number[] = [];
        const failing = firstValueFrom(
          transport.subscribeTopic(topic, { payload: 'json' }).pipe(
            handleDeliveries((d) => {
              attempts.push(d.attempts);
              throw new Error(`handler failed on ${JSON.stringify(d.input)}`);
            }),
            take(2),
            toArray(),
          ),
        );
        const letters = await deadLetters(transport, `${topic}.dead`, 1, () =>
          publishRaw(topic, utf8('{"n":1}')),
        );
        await failing;
        expect(attempts).toEqual([1, 2]);
        expect(letters[0]?.rawBody).toEqual(utf8('{"n":1}'));
        expect(letters[0]?.header?.[HeaderKey.ERROR]).toBe('handler failed on {"n":1}');
        expect(letters[0]?.header?.[HeaderKey.ATTEMPTS]).toBe('2');
      },
      SPEC_TIMEOUT_MS,
    );

    it(
      'lets middleware see the decoded input',
      async () => {
        const { transport, publishRaw } = await setUp();
        const topic = uniqueTopic('mw');
        const seenByMiddleware: unknown[] = [];
        transport.use(
          operatorMiddleware(
            map((d: Delivery) => {
              seenByMiddleware.push(d.input);
              return d.withContext({ checked: true });
            }),
          ),
          { topic },
        );
        const consumed = await consume(transport.subscribeTopic(topic, { payload: Click }), 1, () =>
          publishRaw(topic, utf8('{"x":5,"y":6}')),
        );
        expect(seenByMiddleware).toEqual([{ x: 5, y: 6 }]);
        expect(consumed[0]?.context).toEqual({ checked: true });
      },
      SPEC_TIMEOUT_MS,
    );

    it(
      'consumes a prefix with a payload',
      async () => {
        const { transport, publishRaw } = await setUp({ pollIntervalMs: 100 });
        const prefix = `${uniqueTopic('pfx')}.`;
        // the topics exist before the subscription, so that its first listing finds them
        await publishRaw(`${prefix}a`, utf8('1'));
        await publishRaw(`${prefix}b`, utf8('2'));
        const inputs = await firstValueFrom(
          transport.subscribePrefix(prefix, { payload: 'json' }).pipe(
            handleDeliveries(() => undefined),
            map((handled) => handled.delivery.input),
            take(2),
            toArray(),
          ),
        );
        expect([...inputs].sort()).toEqual([1, 2]);
      },
      SPEC_TIMEOUT_MS,
    );

    describe('publish with a payload', () => {
      it(
        "sends plain JSON ('json'), a codec's encoded value, and bytes as they are, read by a raw consumer",
        async () => {
          const { transport, broker } = await setUp();
          const topic = uniqueTopic('out');
          const blob = new Uint8Array([0, 1, 2, 0xff]);
          const bodies = await readRaw(broker, topic, 4, async () => {
            await transport.publish(topic, { id: 7, tags: ['a'] }, { payload: 'json' });
            await transport.publish(topic, 1234, { payload: Cents });
            await transport.broadcast(topic, blob, { payload: 'bytes' });
            await transport.publishDeferred(topic, null, 0, { payload: 'json' });
          });
          expect(bodies).toEqual([utf8('{"id":7,"tags":["a"]}'), utf8('"1234"'), blob, utf8('null')]);
        },
        SPEC_TIMEOUT_MS,
      );

      it(
        'feeds an rxmini consumer of the same payload',
        async () => {
          const { transport } = await setUp();
          const topic = uniqueTopic('loop');
          const consumed = await consume(transport.subscribeTopic(topic, { payload: Cents }), 1, () =>
            transport.publish(topic, 99, { payload: Cents }),
          );
          const cents: number[] = consumed.map((d) => d.input);
          expect(cents).toEqual([99]);
        },
        SPEC_TIMEOUT_MS,
      );

      it(
        'rejects what does not fit its payload with a BadRequestError, and an unknown payload with a ConfigError',
        async () => {
          const { transport } = await setUp();
          const topic = uniqueTopic('bad');
          await expectAsync(
            transport.publish(topic, { when: new Date() } as unknown as JsonValue, { payload: 'json' }),
          ).toBeRejectedWithError(BadRequestError);
          await expectAsync(
            transport.publish(topic, 'text' as unknown as Uint8Array, { payload: 'bytes' }),
          ).toBeRejectedWithError(BadRequestError);
          await expectAsync(
            transport.publish(topic, { body: {} } as never, { payload: 'xml' as never }),
          ).toBeRejectedWithError(ConfigError);
        },
        SPEC_TIMEOUT_MS,
      );
    });

    it(
      'fails a subscription with an unknown payload with a ConfigError before consuming',
      async () => {
        const { transport } = await setUp();
        const subscription = transport.subscribeTopic(uniqueTopic('bad'), { payload: 'xml' as never });
        await expectAsync(firstValueFrom(subscription)).toBeRejectedWithError(ConfigError, /payload/);
      },
      SPEC_TIMEOUT_MS,
    );

    it(
      "leaves 'message' subscriptions as they were: a JSON line that is not a message is dead-lettered as undecodable",
      async () => {
        const { transport, publishRaw } = await setUp();
        const topic = uniqueTopic('strict');
        const messages$ = transport.subscribeTopic(topic);
        const subscription = messages$.subscribe((d) => d.finish());
        const letters = await deadLetters(transport, `${topic}.dead`, 1, async () => {
          await messages$.ready;
          await publishRaw(topic, utf8('{"id":1}'));
        });
        subscription.unsubscribe();
        const letter = letters[0] as Message;
        expect(letter.rawBody).toEqual(utf8('{"id":1}'));
        expect(letter.header?.[HeaderKey.ERROR]).toContain('type: required');
        expect(isLeft(decode(utf8('{"id":1}')))).toBeTrue();
      },
      SPEC_TIMEOUT_MS,
    );
  });
};
