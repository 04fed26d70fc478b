/**
 * The consumer's per-message fast path over nsqjs 0.13 internals, against a real
 * nsqd: acks written by rxmini itself (`WireMessage` through one buffer per
 * connection) are accepted, free nsqjs's RDY/in-flight accounting so the next
 * messages arrive, and go out before the connection closes.
 */
import type { Socket } from 'node:net';
import * as nsq from 'nsqjs';
import { corkConnection } from '../../../src/broker/nsq/cork.js';
import {
  WireMessage,
  batchReaderMessages,
  onReaderConnection,
  skipNoopRdyBumps,
  useWireMessages,
  type NsqdConnectionInternals,
} from '../../../src/broker/nsq/internals.js';
import { describeNsq, nsqChannelStats, nsqPost, type NsqChannelStats } from '../../helpers/nsq.js';
import { sleep, waitFor } from '../../helpers/wait';

/** The fast path's messages are WireMessages; nsqjs's typings only know its own Message. */
const onWire = (reader: nsq.Reader, handler: (message: WireMessage) => void): void => {
  reader.on('message', (message: unknown) => handler(message as WireMessage));
};

const nextTick = (): Promise<void> => new Promise((resolve) => process.nextTick(resolve));

describe('batchReaderMessages', () => {
  type Handling = { handleMessage(message: unknown): void };

  it('hands the messages of one tick over on one next tick, in order', async () => {
    const reader = new nsq.Reader('batch.t', 'c', { nsqdTCPAddresses: ['127.0.0.1:1'], maxAttempts: 0 });
    expect(batchReaderMessages(reader)).toBeTrue();
    const seen: unknown[] = [];
    reader.on('message', (message: unknown) => seen.push(message));
    const handling = reader as unknown as Handling;
    handling.handleMessage('a');
    handling.handleMessage('b');
    handling.handleMessage('c');
    expect(seen).toEqual([]);
    await nextTick();
    expect(seen).toEqual(['a', 'b', 'c']);
    handling.handleMessage('d');
    await nextTick();
    expect(seen).toEqual(['a', 'b', 'c', 'd']);
  });

  it('leaves a Reader with maxAttempts (auto-finish, discard) to nsqjs', () => {
    const reader = new nsq.Reader('batch.t', 'c', { nsqdTCPAddresses: ['127.0.0.1:1'], maxAttempts: 3 });
    expect(batchReaderMessages(reader)).toBeFalse();
  });
});

describeNsq('wire messages (acks written by rxmini)', (servers) => {
  const channelStats = (topic: string): Promise<NsqChannelStats | undefined> =>
    nsqChannelStats(servers().nsqdHttp, topic, 'c');

  const fill = async (topic: string, count: number): Promise<void> => {
    const { nsqdHttp } = servers();
    await nsqPost(nsqdHttp, `/topic/create?topic=${topic}`);
    await nsqPost(nsqdHttp, `/channel/create?topic=${topic}&channel=c`);
    const body = Array.from({ length: count }, (_, i) => `m${i}`).join('\n');
    const res = await fetch(`http://${nsqdHttp}/mpub?topic=${topic}`, { method: 'POST', body });
    expect(res.ok).toBeTrue();
  };

  /** A Reader with the consumer's fast path; `errors` collects what nsqd complained about. */
  const fastReader = (
    topic: string,
    options: nsq.ReaderConnectionConfigOptions,
  ): { reader: nsq.Reader; conns: NsqdConnectionInternals[]; errors: Error[] } => {
    const reader = new nsq.Reader(topic, 'c', {
      nsqdTCPAddresses: [servers().nsqdTcp],
      maxAttempts: 0,
      ...options,
    });
    const conns: NsqdConnectionInternals[] = [];
    const errors: Error[] = [];
    expect(
      onReaderConnection(reader, (conn) => {
        expect(corkConnection(conn)).toBeTrue();
        expect(useWireMessages(conn)).toBeTrue();
        conns.push(conn);
      }),
    ).toBeTrue();
    expect(batchReaderMessages(reader)).toBeTrue();
    expect(skipNoopRdyBumps(reader)).toBeTrue();
    reader.on('error', (error: Error) => errors.push(error));
    return { reader, conns, errors };
  };

  it('FINs written by rxmini free RDY and in-flight: 10 at a time, all 300 arrive, RDY stays set', async () => {
    const topic = 'wire.fin';
    const N = 300;
    await fill(topic, N);
    const { reader, errors } = fastReader(topic, { maxInFlight: 10 });
    try {
      const bodies = new Set<string>();
      let inFlight = 0;
      let maxSeen = 0;
      let finished = 0;
      await new Promise<void>((resolve) => {
        onWire(reader, (message) => {
          expect(message).toBeInstanceOf(WireMessage);
          bodies.add(message.body.toString());
          inFlight += 1;
          maxSeen = Math.max(maxSeen, inFlight);
          // finish on a later tick, so several are in flight at once
          setImmediate(() => {
            inFlight -= 1;
            message.finish();
            message.finish();
            message.requeue(0, false);
            finished += 1;
            if (finished === N) resolve();
          });
        });
        reader.connect();
      });
      expect(bodies.size).toBe(N);
      expect(maxSeen).toBeLessThanOrEqual(10);
      // nsqjs's own RDY accounting saw every FIN (its in-flight count is back to 0)
      const readerRdy = (reader as unknown as { readerRdy: { inFlight(): number } }).readerRdy;
      expect(readerRdy.inFlight()).toBe(0);
      await waitFor('every FIN', async () => {
        const stats = await channelStats(topic);
        return stats?.in_flight_count === 0 && stats.depth === 0;
      });
      const stats = await channelStats(topic);
      expect(stats?.message_count).toBe(N);
      expect(stats?.requeue_count).toBe(0);
      expect(stats?.timeout_count).toBe(0);
      expect(stats?.clients?.[0]?.finish_count).toBe(N);
      expect(stats?.clients?.[0]?.ready_count).toBe(10);
      expect(errors).toEqual([]);
    } finally {
      reader.close();
    }
  }, 15_000);

  it('sends the FINs of one tick as one buffer in one write', async () => {
    const topic = 'wire.onewrite';
    const N = 200;
    await fill(topic, N);
    const { reader, conns, errors } = fastReader(topic, { maxInFlight: N });
    try {
      const messages: WireMessage[] = [];
      await new Promise<void>((resolve) => {
        onWire(reader, (message) => {
          messages.push(message);
          if (messages.length === N) resolve();
        });
        reader.connect();
      });
      await sleep(20);
      const socket = conns[0]?.conn as Socket;
      const target = socket as unknown as { _write: () => void; _writev: () => void };
      const write = spyOn(target, '_write').and.callThrough();
      const writev = spyOn(target, '_writev').and.callThrough();
      for (const message of messages) message.finish();
      await sleep(50);
      expect(write.calls.count() + writev.calls.count()).toBe(1);
      await waitFor('every FIN', async () => (await channelStats(topic))?.in_flight_count === 0);
      expect((await channelStats(topic))?.depth).toBe(0);
      expect(errors).toEqual([]);
    } finally {
      reader.close();
    }
  }, 15_000);

  it('TOUCH keeps a message past its timeout; REQ redelivers it with the next attempt', async () => {
    const topic = 'wire.touch';
    await fill(topic, 1);
    const { reader, errors } = fastReader(topic, { maxInFlight: 1, messageTimeout: 1000 });
    try {
      const received: WireMessage[] = [];
      onWire(reader, (message) => received.push(message));
      reader.connect();
      await waitFor('the message', () => received.length === 1);
      const first = received[0] as WireMessage;
      expect(first.msgTimeout).toBe(1000);
      expect(first.attempts).toBe(1);
      for (let i = 0; i < 6; i += 1) {
        first.touch();
        await sleep(300);
      }
      first.requeue(0, false);
      first.finish();
      await waitFor('the redelivery', () => received.length === 2);
      const second = received[1] as WireMessage;
      expect(second.id).toBe(first.id);
      expect(second.attempts).toBe(2);
      second.finish();
      await waitFor('the FIN', async () => (await channelStats(topic))?.in_flight_count === 0);
      const stats = await channelStats(topic);
      expect(stats?.timeout_count).toBe(0);
      expect(stats?.requeue_count).toBe(1);
      expect(stats?.depth).toBe(0);
      expect(errors).toEqual([]);
    } finally {
      reader.close();
    }
  }, 15_000);

  it('sends the acks made in the same tick as close() before closing', async () => {
    const topic = 'wire.close';
    const N = 50;
    await fill(topic, N);
    const { reader, errors } = fastReader(topic, { maxInFlight: N });
    const messages: WireMessage[] = [];
    await new Promise<void>((resolve) => {
      onWire(reader, (message) => {
        messages.push(message);
        if (messages.length === N) resolve();
      });
      reader.connect();
    });
    for (const message of messages) message.finish();
    reader.close();
    await waitFor('every FIN', async () => {
      const stats = await channelStats(topic);
      return stats?.in_flight_count === 0 && stats.depth === 0;
    });
    const stats = await channelStats(topic);
    expect(stats?.requeue_count).toBe(0);
    expect(stats?.timeout_count).toBe(0);
    expect(errors).toEqual([]);
  }, 15_000);
});
