/**
 * Socket write coalescing, against a real nsqd: a spy on the connection's socket
 * counts the underlying writes (`_write` / `_writev`), and nsqd's stats show
 * every command still arrived.
 */
import type { Socket } from 'node:net';
import * as nsq from 'nsqjs';
import { describeNsq, nsqChannelStats, nsqGet, nsqPost, type NsqStats } from '../../helpers/nsq.js';
import { corkReader, corkWriter } from '../../../src/broker/nsq/cork.js';
import {
  onReaderConnection,
  writerConnection,
  type NsqdConnectionInternals,
} from '../../../src/broker/nsq/internals.js';
import { sleep, waitFor } from '../../helpers/wait';

const channelStats = nsqChannelStats;

/** Counts the writes that reach the socket (each is one syscall, or one writev). */
const spyWrites = (socket: Socket): { calls: () => number; chunks: () => number[] } => {
  // net.Socket implements both; the stream typings mark _writev optional
  const target = socket as unknown as {
    _write: (...args: unknown[]) => void;
    _writev: (...args: unknown[]) => void;
  };
  const write = spyOn(target, '_write').and.callThrough();
  const writev = spyOn(target, '_writev').and.callThrough();
  return {
    calls: () => write.calls.count() + writev.calls.count(),
    chunks: () => [
      ...write.calls.allArgs().map(() => 1),
      ...writev.calls.allArgs().map((args) => (args[0] as unknown[]).length),
    ],
  };
};

describeNsq('socket corking', (servers) => {
  const N = 200;

  /** Fills `topic` with N messages on `channel`, then receives them all unacknowledged. */
  const receiveAll = async (
    topic: string,
    cork: boolean,
  ): Promise<{ reader: nsq.Reader; messages: nsq.Message[]; socket: Socket }> => {
    const { nsqdHttp, nsqdTcp } = servers();
    await nsqPost(nsqdHttp, `/topic/create?topic=${topic}`);
    await nsqPost(nsqdHttp, `/channel/create?topic=${topic}&channel=c`);
    const body = Array.from({ length: N }, (_, i) => `m${i}`).join('\n');
    const res = await fetch(`http://${nsqdHttp}/mpub?topic=${topic}`, { method: 'POST', body });
    expect(res.ok).toBeTrue();
    const reader = new nsq.Reader(topic, 'c', { nsqdTCPAddresses: [nsqdTcp], maxInFlight: N });
    const conns: NsqdConnectionInternals[] = [];
    if (cork) expect(corkReader(reader)).toBeTrue();
    onReaderConnection(reader, (conn) => conns.push(conn));
    reader.on('error', () => undefined);
    const messages: nsq.Message[] = [];
    await new Promise<void>((resolve) => {
      reader.on('message', (message: nsq.Message) => {
        messages.push(message);
        if (messages.length === N) resolve();
      });
      reader.connect();
    });
    await sleep(20);
    const socket = conns[0]?.conn;
    if (!socket) throw new Error('no reader socket');
    return { reader, messages, socket };
  };

  it('sends N FINs made in one tick as one writev, and nsqd takes every one', async () => {
    const topic = 'cork.fin';
    const { reader, messages, socket } = await receiveAll(topic, true);
    try {
      const writes = spyWrites(socket);
      for (const message of messages) message.finish();
      await sleep(50);
      expect(writes.calls()).toBe(1);
      expect(writes.chunks()).toEqual([N]);
      await waitFor('every FIN', async () => {
        const stats = await channelStats(servers().nsqdHttp, topic, 'c');
        return stats?.in_flight_count === 0 && stats.depth === 0;
      });
      const stats = await channelStats(servers().nsqdHttp, topic, 'c');
      expect(stats?.message_count).toBe(N);
      expect(stats?.requeue_count).toBe(0);
      expect(stats?.timeout_count).toBe(0);
    } finally {
      reader.close();
    }
  }, 15_000);

  it('control: without corking, nsqjs writes the FINs one by one', async () => {
    const { reader, messages, socket } = await receiveAll('cork.control', false);
    try {
      const writes = spyWrites(socket);
      for (const message of messages) message.finish();
      await sleep(50);
      expect(writes.calls()).toBeGreaterThan(N / 2);
    } finally {
      reader.close();
    }
  }, 15_000);

  it('sends the publishes of one tick as one write on a corked Writer, each acknowledged', async () => {
    const [host, port] = servers().nsqdTcp.split(':');
    const writer = new nsq.Writer(host as string, Number(port));
    expect(corkWriter(writer)).toBeTrue();
    writer.on('error', () => undefined);
    await new Promise<void>((resolve) => {
      writer.once('ready', () => resolve());
      writer.connect();
    });
    try {
      const socket = writerConnection(writer)?.conn;
      if (!socket) throw new Error('no writer socket');
      const writes = spyWrites(socket);
      const acks = Array.from(
        { length: 50 },
        (_, i) =>
          new Promise<void>((resolve, reject) =>
            writer.publish('cork.pub', `p${i}`, (err) => (err ? reject(err) : resolve())),
          ),
      );
      await Promise.all(acks);
      expect(writes.calls()).toBe(1);
      expect(writes.chunks()).toEqual([50]);
      const stats = await nsqGet<NsqStats>(servers().nsqdHttp, '/stats?format=json&topic=cork.pub');
      expect((stats.topics ?? []).find((t) => t.topic_name === 'cork.pub')?.message_count).toBe(50);
    } finally {
      writer.close();
    }
  }, 15_000);
});
