/**
 * `compat: 'go-mini'` as one suite for every transport: the four wire
 * fixtures the Go `mini` wrote, put on the topic raw (nsqd's HTTP `/pub` over
 * NSQ), consumed by a strict transport and by a compat one; and what a compat
 * transport writes, read back with the raw broker layer and `JSON.parse`.
 * Run on the memory transport (spec/transport/goMini.spec.ts) and on a real
 * nsqd (spec/integration/nsq-go-mini.spec.ts).
 */
import { firstValueFrom, map, take } from 'rxjs';
import type { Message } from '../../src/codec/message.js';
import { HeaderKey } from '../../src/constant/index.js';
import { createMetrics } from '../../src/metrics/createMetrics.js';
import { handleDeliveries } from '../../src/operators/handleDeliveries.js';
import { TransportMetric } from '../../src/transport/counters.js';
import { ResponseError } from '../../src/transport/errors.js';
import type { Transport, TransportOptions } from '../../src/transport/types.js';
import type { Delivery } from '../../src/delivery/types.js';
import {
  FULL_MESSAGE,
  GO_FIXTURES,
  RAW_MESSAGE,
  TYPELESS_STRICT_ERROR,
  utf8,
  type GoFixture,
} from '../helpers/goMiniFixtures.js';
import { waitFor } from '../helpers/wait.js';
import { readRaw, uniqueTopic, type PayloadRig, type PayloadRigFactory } from './payloadBehaviour.js';

/** Generous: a loaded machine, and a real nsqd. */
const SPEC_TIMEOUT_MS = 20_000;

const text = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);

/** Every delivery of `topic` on `transport` (finished), kept until the transport closes; resolves once ready. */
const collect = async (
  transport: Transport,
  topic: string,
  options: { readonly channel?: string; readonly payload?: 'json' } = {},
): Promise<Delivery[]> => {
  const seen: Delivery[] = [];
  const deliveries$ = transport.subscribeTopic(topic, options);
  deliveries$.pipe(handleDeliveries((d) => void seen.push(d))).subscribe();
  await deliveries$.ready;
  return seen;
};

/** The behavioural suite of `compat: 'go-mini'` on one transport. */
export const goMiniBehaviour = (label: string, factory: PayloadRigFactory): void => {
  describe(`compat go-mini (${label})`, () => {
    let rigs: PayloadRig[] = [];
    const setUp = async (options: TransportOptions = {}): Promise<PayloadRig> => {
      const rig = await factory({ drainTimeoutMs: 1_000, requestTimeoutMs: 5_000, ...options });
      rigs.push(rig);
      return rig;
    };

    afterEach(async () => {
      await Promise.all(rigs.map((rig) => rig.teardown()));
      rigs = [];
    });

    /** Puts fixture `name` on a fresh topic; the deliveries a strict and a compat transport made of it, and their dead letters. */
    const both = async (
      name: GoFixture,
      options: { readonly payload?: 'json' } = {},
    ): Promise<{
      strict: Delivery[];
      compat: Delivery[];
      strictDead: Delivery[];
      compatDead: Delivery[];
    }> => {
      const strictRig = await setUp();
      const compatRig = await setUp({ compat: 'go-mini' });
      const topic = uniqueTopic(`go.${name}`);
      // two channels of one topic: each transport gets its own copy of the fixture
      const strict = await collect(strictRig.transport, topic, { channel: 'strict', ...options });
      const compat = await collect(compatRig.transport, topic, { channel: 'compat', ...options });
      const strictDead = await collect(strictRig.transport, `${topic}.dead`, { channel: 'strict' });
      const compatDead = await collect(compatRig.transport, `${topic}.dead`, { channel: 'compat' });
      await strictRig.publishRaw(topic, utf8(GO_FIXTURES[name]));
      // each transport dead-letters to the same topic, whose two channels each get both letters
      await waitFor(
        `fixture ${name} consumed or dead-lettered by both`,
        () => strict.length + strictDead.length >= 1 && compat.length + compatDead.length >= 1,
        SPEC_TIMEOUT_MS / 2,
      );
      return { strict, compat, strictDead, compatDead };
    };

    describe('the wire fixtures, published raw', () => {
      it(
        'decodes the full message the same way strict and with compat',
        async () => {
          const { strict, compat } = await both('full');
          expect(strict.map((d) => d.message)).toEqual([FULL_MESSAGE]);
          expect(compat.map((d) => d.message)).toEqual([FULL_MESSAGE]);
        },
        SPEC_TIMEOUT_MS,
      );

      it(
        'decodes the raw message (rawBody in base64) the same way strict and with compat',
        async () => {
          const { strict, compat } = await both('raw');
          expect(strict.map((d) => d.message)).toEqual([RAW_MESSAGE]);
          expect(compat.map((d) => d.message)).toEqual([RAW_MESSAGE]);
        },
        SPEC_TIMEOUT_MS,
      );

      for (const name of ['typeless', 'bare'] as const) {
        it(
          `dead-letters the ${name} message strict (type: required), decodes it with the default type with compat`,
          async () => {
            const { strict, compat, strictDead } = await both(name);
            expect(strict).toEqual([]);
            await waitFor('the strict dead letter', () => strictDead.length === 1, SPEC_TIMEOUT_MS / 2);
            const letter = strictDead[0]?.message as Message;
            expect(letter.header?.[HeaderKey.ERROR]).toBe(TYPELESS_STRICT_ERROR);
            expect(letter.rawBody).toEqual(utf8(GO_FIXTURES[name]));
            const { type, ...rest } = compat[0]?.message as Message;
            expect(type).toBe('event');
            expect(rest).toEqual(JSON.parse(GO_FIXTURES[name]) as Omit<Message, 'type'>);
          },
          SPEC_TIMEOUT_MS,
        );
      }

      it(
        "gives every fixture as the same JSON value with payload 'json', strict or compat",
        async () => {
          for (const name of Object.keys(GO_FIXTURES) as GoFixture[]) {
            const { strict, compat } = await both(name, { payload: 'json' });
            const parsed: unknown = JSON.parse(GO_FIXTURES[name]);
            expect(strict.map((d) => d.input))
              .withContext(name)
              .toEqual([parsed]);
            expect(compat.map((d) => d.input))
              .withContext(name)
              .toEqual([parsed]);
          }
        },
        SPEC_TIMEOUT_MS,
      );

      it(
        'reads the type healthCheck as health with compat (and as it is, strict)',
        async () => {
          const strictRig = await setUp();
          const compatRig = await setUp({ compat: 'go-mini' });
          const topic = uniqueTopic('go.health');
          const strict = await collect(strictRig.transport, topic, { channel: 'strict' });
          const compat = await collect(compatRig.transport, topic, { channel: 'compat' });
          await strictRig.publishRaw(
            topic,
            utf8('{"type":"healthCheck","contextID":"go-hc-1","replyTo":"go.replies"}'),
          );
          await waitFor(
            'both deliveries',
            () => strict.length === 1 && compat.length === 1,
            SPEC_TIMEOUT_MS / 2,
          );
          expect(strict[0]?.message.type).toBe('healthCheck');
          expect(compat[0]?.message).toEqual({ type: 'health', contextID: 'go-hc-1', replyTo: 'go.replies' });
        },
        SPEC_TIMEOUT_MS,
      );

      it(
        'decodes type-less messages with the configured defaultMessageType',
        async () => {
          const rig = await setUp({ compat: 'go-mini', defaultMessageType: 'publish' });
          const topic = uniqueTopic('go.default');
          const seen = await collect(rig.transport, topic);
          await rig.publishRaw(topic, utf8(GO_FIXTURES.typeless));
          await waitFor('the delivery', () => seen.length === 1, SPEC_TIMEOUT_MS / 2);
          expect(seen[0]?.message.type).toBe('publish');
        },
        SPEC_TIMEOUT_MS,
      );
    });

    describe('what a compat transport writes', () => {
      it(
        'publishes plain JSON in the Go form, raw bytes as base64, never the binary frame',
        async () => {
          const { transport, broker } = await setUp({ compat: 'go-mini' });
          const topic = uniqueTopic('go.out');
          const bodies = await readRaw(broker, topic, 2, async () => {
            await transport.publish(topic, { ...RAW_MESSAGE });
            await transport.publish(topic, { contextID: 'c-2', body: { hello: 'world' } });
          });
          expect(bodies.map((b) => b[0])).toEqual([0x7b, 0x7b]); // '{', not 00 'R' 'X' 01
          expect(text(bodies[0] as Uint8Array)).toBe(GO_FIXTURES.raw);
          expect(JSON.parse(text(bodies[1] as Uint8Array))).toEqual({
            type: 'event',
            contextID: 'c-2',
            body: { hello: 'world' },
          });
        },
        SPEC_TIMEOUT_MS,
      );

      it(
        'sends a message it consumed from Go on byte for byte',
        async () => {
          const { transport, broker, publishRaw } = await setUp({ compat: 'go-mini' });
          const inbound = uniqueTopic('go.in');
          const outbound = uniqueTopic('go.fwd');
          const forwarded = readRaw(broker, outbound, 1, async () => {
            const seen = await collect(transport, inbound);
            await publishRaw(inbound, utf8(GO_FIXTURES.full));
            await waitFor('the Go message', () => seen.length === 1, SPEC_TIMEOUT_MS / 2);
            await transport.publish(outbound, (seen[0] as Delivery).message);
          });
          expect((await forwarded).map(text)).toEqual([GO_FIXTURES.full]);
        },
        SPEC_TIMEOUT_MS,
      );

      it(
        'dead-letters in JSON too: the letter of a failed delivery keeps its raw bytes as base64',
        async () => {
          const { transport, broker, publishRaw } = await setUp({
            compat: 'go-mini',
            retry: { '*': { maxAttempts: 1 } },
          });
          const topic = uniqueTopic('go.fail');
          transport
            .subscribeTopic(topic)
            .pipe(
              handleDeliveries(() => {
                throw new Error('handler failed');
              }),
            )
            .subscribe();
          const letters = await readRaw(broker, `${topic}.dead`, 1, () =>
            publishRaw(topic, utf8(GO_FIXTURES.raw)),
          );
          const letter = JSON.parse(text(letters[0] as Uint8Array)) as Record<string, unknown>;
          expect(letter['rawBody']).toBe('AAEC/2hp');
          expect((letter['header'] as Record<string, string>)[HeaderKey.ERROR]).toBe('handler failed');
        },
        SPEC_TIMEOUT_MS,
      );

      it(
        'requests a Go service on its own subject with { topic }, routed by node, and reads its JSON response',
        async () => {
          const { transport, broker, publishRaw } = await setUp({ compat: 'go-mini' });
          const subject = `${uniqueTopic('users')}.v1.7f3a`;
          // the Go service: reads the request off its subject, answers on replyTo as Go writes a response
          const served = firstValueFrom(
            broker.consume({ topic: subject, channel: 'go', maxInFlight: 1, lowLatency: true }).pipe(
              map((d) => {
                d.finish();
                return JSON.parse(text(d.body)) as Record<string, unknown>;
              }),
              take(1),
            ),
          );
          const replies = served.then((request) =>
            publishRaw(
              request['replyTo'] as string,
              utf8(
                `{"type":"response","contextID":"${request['contextID'] as string}","body":{"result":{"id":7}},"statusCode":200}`,
              ),
            ).then(() => request),
          );
          const response = await firstValueFrom(
            transport.request('users.get', { id: 7 }, { topic: subject, timeout: SPEC_TIMEOUT_MS / 2 }),
          );
          const request = await replies;
          expect(request).toEqual({
            type: 'request',
            node: 'users.get',
            contextID: jasmine.any(String),
            replyTo: transport.replyTopic,
            header: { [HeaderKey.DEADLINE]: String(SPEC_TIMEOUT_MS / 2) },
            body: { id: 7 },
          });
          expect(response.body).toEqual({ result: { id: 7 } });
        },
        SPEC_TIMEOUT_MS,
      );

      it(
        "survives Go's error response sent twice: the request fails once, the second is dropped and counted",
        async () => {
          const metrics = createMetrics();
          const { transport, broker, publishRaw } = await setUp({ compat: 'go-mini', metrics });
          const subject = `${uniqueTopic('users')}.v1.7f3b`;
          const answered = firstValueFrom(
            broker.consume({ topic: subject, channel: 'go', maxInFlight: 1, lowLatency: true }).pipe(
              map((d) => {
                d.finish();
                return JSON.parse(text(d.body)) as Record<string, unknown>;
              }),
              take(1),
            ),
          ).then(async (request) => {
            const error = utf8(
              `{"type":"response","contextID":"${request['contextID'] as string}","body":{"error":"boom"},"statusCode":500}`,
            );
            await publishRaw(request['replyTo'] as string, error);
            await publishRaw(request['replyTo'] as string, error);
          });
          await expectAsync(
            firstValueFrom(
              transport.request('users.get', {}, { topic: subject, timeout: SPEC_TIMEOUT_MS / 2 }),
            ),
          ).toBeRejectedWith(jasmine.any(ResponseError));
          await answered;
          await waitFor(
            'the second response, dropped',
            () => metrics.export()[`transport.${TransportMetric.lateReplies}`] === 1,
            SPEC_TIMEOUT_MS / 2,
          );
        },
        SPEC_TIMEOUT_MS,
      );

      it(
        "answers a Go request in JSON: respond() writes the Go form on the request's replyTo",
        async () => {
          const { transport, broker, publishRaw } = await setUp({ compat: 'go-mini' });
          const action = uniqueTopic('go.action');
          const replyTo = uniqueTopic('reply');
          transport
            .subscribeTopic(action)
            .pipe(handleDeliveries((d) => transport.respond(d.message, { ok: true })))
            .subscribe();
          const replies = await readRaw(broker, replyTo, 1, () =>
            publishRaw(
              action,
              utf8(
                `{"type":"request","node":"${action}","contextID":"3b241101-e2bb-4255-8caf-4136c566a962","replyTo":"${replyTo}"}`,
              ),
            ),
          );
          expect(text(replies[0] as Uint8Array)).toBe(
            '{"type":"response","contextID":"3b241101-e2bb-4255-8caf-4136c566a962","body":{"result":{"ok":true}},"statusCode":200}',
          );
        },
        SPEC_TIMEOUT_MS,
      );
    });

    it('refuses a bad compat option or a defaultMessageType without compat with a ConfigError', async () => {
      await expectAsync(setUp({ compat: 'go' as never })).toBeRejectedWithError(/compat/);
      await expectAsync(setUp({ defaultMessageType: 'event' })).toBeRejectedWithError(/defaultMessageType/);
      await expectAsync(setUp({ compat: 'go-mini', defaultMessageType: ' ' })).toBeRejectedWithError(
        /defaultMessageType/,
      );
    });

    it('refuses a request to a topic that is not a valid name with an InvalidNameError', async () => {
      const { transport } = await setUp({ compat: 'go-mini' });
      await expectAsync(
        firstValueFrom(transport.request('users.get', {}, { topic: 'users v1', timeout: 1_000 })),
      ).toBeRejectedWith(jasmine.objectContaining({ name: 'InvalidNameError' }));
    });

    it(
      'keeps strict the default: raw bytes go as the binary frame',
      async () => {
        const { transport, broker } = await setUp();
        const topic = uniqueTopic('strict.out');
        const bodies = await readRaw(broker, topic, 1, () => transport.publish(topic, { ...RAW_MESSAGE }));
        expect(Array.from((bodies[0] as Uint8Array).subarray(0, 4))).toEqual([0x00, 0x52, 0x58, 0x01]);
      },
      SPEC_TIMEOUT_MS,
    );
  });
};
