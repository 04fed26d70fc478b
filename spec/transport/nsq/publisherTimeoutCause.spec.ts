/**
 * The cause a publisher's `PublishTimeoutError` carries, without nsqd: a peer
 * that accepts TCP and never answers IDENTIFY (a hung or wrong server). Refused
 * dials, TLS and AUTH failures: spec/integration/nsq-publisher.spec.ts,
 * nsq-auth.spec.ts.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { TimeoutError } from '../../../src/errors.js';
import { PublishTimeoutError } from '../../../src/transport/nsq/errors.js';
import { createNsqPublisher, type NsqPublisher } from '../../../src/transport/nsq/publisher.js';

describe('createNsqPublisher: the cause of a publish timeout (silent peer)', () => {
  let silent: Server;
  let sockets: Socket[];
  let address: string;
  let publisher: NsqPublisher | undefined;

  beforeEach(async () => {
    sockets = [];
    silent = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    address = `127.0.0.1:${(silent.address() as { port: number }).port}`;
  });

  afterEach(async () => {
    await publisher?.close();
    publisher = undefined;
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => silent.close(resolve));
  });

  it('names the abandoned connection attempt (a TimeoutError) as the cause, in the message and the stack', async () => {
    publisher = createNsqPublisher({
      nsqd: address,
      connectTimeoutMs: 50,
      publishTimeoutMs: 300,
      reconnect: { initialMs: 10, maxMs: 20 },
    });
    const error = await publisher.publish('t', 'x').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PublishTimeoutError);
    const cause = (error as PublishTimeoutError).cause;
    expect(cause).toBeInstanceOf(TimeoutError);
    expect(cause).not.toBeInstanceOf(PublishTimeoutError);
    expect((cause as TimeoutError).timeoutMs).toBe(50);
    const named = `: last connection error: connect to nsqd ${address} timed out after 50 ms`;
    expect((error as Error).message).toBe(`publish to t (nsqd unreachable) timed out after 300 ms${named}`);
    expect(String((error as Error).stack).split('\n')[0]).toContain(named);
  });

  it('has no cause, and the plain message, when no connection attempt has failed yet', async () => {
    publisher = createNsqPublisher({ nsqd: address, connectTimeoutMs: 5_000, publishTimeoutMs: 100 });
    const error = await publisher.publish('t', 'x').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PublishTimeoutError);
    expect((error as PublishTimeoutError).cause).toBeUndefined();
    expect((error as Error).message).toBe('publish to t (nsqd unreachable) timed out after 100 ms');
  });
});
