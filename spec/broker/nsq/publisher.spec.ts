/**
 * The publisher's own checks: options, names, sizes and delays are refused
 * before anything reaches nsqjs. The server here is a free port nobody listens
 * on, so every publish that passed the checks would have to time out.
 */
import {
  BadRequestError,
  ConfigError,
  EmptyMessageError,
  InvalidNameError,
  PayloadTooLargeError,
  TimeoutError,
  TransportClosedError,
} from '../../../src/errors.js';
import { PublishQueueFullError, PublishTimeoutError } from '../../../src/broker/nsq/errors.js';
import {
  createNsqPublisher,
  type NsqConnectionStatus,
  type NsqPublisher,
} from '../../../src/broker/nsq/publisher.js';
import { createServer, type Server, type Socket } from 'node:net';
import { memoryLogger } from '../../../src/logger/memoryLogger.js';
import { freePort } from '../../helpers/nsq.js';

describe('createNsqPublisher (no nsqd listening)', () => {
  let address: string;
  let publisher: NsqPublisher | undefined;

  beforeEach(async () => {
    address = `127.0.0.1:${await freePort()}`;
  });

  afterEach(async () => {
    await publisher?.close();
    publisher = undefined;
  });

  it('throws ConfigError for invalid options, before connecting', () => {
    const bad = [
      { nsqd: 'nohost' },
      { nsqd: address, publishTimeoutMs: 0 },
      { nsqd: address, maxQueued: 1.5 },
      { nsqd: address, maxMessageBytes: -1 },
      { nsqd: address, reconnect: { factor: 0 } },
      { nsqd: address, heartbeatIntervalSec: 61 },
    ];
    for (const options of bad) {
      expect(() => createNsqPublisher(options))
        .withContext(JSON.stringify(options))
        .toThrowError(ConfigError);
    }
  });

  it('rejects bad names, empty and oversized bodies and bad delays with typed errors', async () => {
    publisher = createNsqPublisher({ nsqd: address, maxMessageBytes: 10, reconnect: { initialMs: 20 } });
    await expectAsync(publisher.publish('a b', 'x')).toBeRejectedWithError(InvalidNameError);
    await expectAsync(publisher.publish('x'.repeat(65), 'x')).toBeRejectedWithError(InvalidNameError);
    await expectAsync(publisher.publish('t', '')).toBeRejectedWithError(EmptyMessageError);
    await expectAsync(publisher.publish('t', new Uint8Array(0))).toBeRejectedWithError(EmptyMessageError);
    await expectAsync(publisher.publish('t', 'é'.repeat(6))).toBeRejectedWithError(PayloadTooLargeError);
    await expectAsync(publisher.publish('t', 42 as unknown as string)).toBeRejectedWithError(BadRequestError);
    for (const delay of [0, -5, 1.5, 3_600_001, NaN]) {
      await expectAsync(publisher.publishDeferred('t', 'x', delay))
        .withContext(String(delay))
        .toBeRejectedWithError(BadRequestError);
    }
    await expectAsync(publisher.publishDeferred('a/b', 'x', 10)).toBeRejectedWithError(InvalidNameError);
    expect(publisher.stats().outstanding).toBe(0);
  });

  it('reports the size and the limit of an oversized body', async () => {
    publisher = createNsqPublisher({ nsqd: address, maxMessageBytes: 10 });
    const error = await publisher.publish('t', new Uint8Array(11)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PayloadTooLargeError);
    expect((error as PayloadTooLargeError).size).toBe(11);
    expect((error as PayloadTooLargeError).limit).toBe(10);
  });

  it('times a publish out when nsqd cannot be reached, without sending it', async () => {
    publisher = createNsqPublisher({
      nsqd: address,
      publishTimeoutMs: 150,
      reconnect: { initialMs: 20, maxMs: 50 },
    });
    const started = Date.now();
    const error = await publisher.publish('t', 'x').catch((e: unknown) => e);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect(error).toBeInstanceOf(PublishTimeoutError);
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as PublishTimeoutError).ambiguous).toBeFalse();
    expect((error as PublishTimeoutError).topic).toBe('t');
    expect(publisher.stats()).toEqual(jasmine.objectContaining({ commands: 0, outstanding: 0 }));
  });

  it('refuses at once beyond maxQueued', async () => {
    publisher = createNsqPublisher({ nsqd: address, publishTimeoutMs: 200, maxQueued: 3 });
    const queued = [1, 2, 3].map((i) => publisher?.publish('t', `m${i}`).catch((e: unknown) => e));
    const error = await publisher.publish('t', 'm4').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PublishQueueFullError);
    expect((error as PublishQueueFullError).limit).toBe(3);
    const settled = await Promise.all(queued);
    expect(settled.every((e) => e instanceof PublishTimeoutError)).toBeTrue();
    // room again once they settled
    await expectAsync(publisher.publish('t', 'm5')).toBeRejectedWithError(PublishTimeoutError);
  });

  it('retries the connection with backoff and reports it on status$', async () => {
    publisher = createNsqPublisher({ nsqd: address, reconnect: { initialMs: 10, maxMs: 40, jitter: 0 } });
    const statuses: NsqConnectionStatus[] = [];
    publisher.status$.subscribe((status) => statuses.push(status));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(statuses).toEqual(['connecting', 'reconnecting']);
    // 10 + 20 + 40 + 40 + … ms: several attempts in 300 ms, but not a tight loop
    expect(publisher.stats().reconnects).toBeGreaterThanOrEqual(4);
    expect(publisher.stats().reconnects).toBeLessThanOrEqual(10);
  });

  it('abandons a connection attempt that gets no answer within connectTimeoutMs, and retries', async () => {
    // a peer that accepts TCP and never answers IDENTIFY (a hung or wrong server)
    const sockets: Socket[] = [];
    const silent: Server = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as { port: number }).port;
    const logger = memoryLogger();
    try {
      publisher = createNsqPublisher({
        nsqd: `127.0.0.1:${port}`,
        connectTimeoutMs: 100,
        publishTimeoutMs: 400,
        reconnect: { initialMs: 10, maxMs: 20 },
        logger,
      });
      const error = await publisher.publish('t', 'x').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PublishTimeoutError);
      expect((error as PublishTimeoutError).ambiguous).toBeFalse();
      expect(publisher.stats().reconnects).toBeGreaterThanOrEqual(2);
      expect(sockets.length).toBeGreaterThanOrEqual(3);
      expect(
        logger.records.filter((r) => r.message.includes('connect timed out')).length,
      ).toBeGreaterThanOrEqual(2);
    } finally {
      await publisher?.close();
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it('waits for queued publishes on close, then rejects new ones with TransportClosedError', async () => {
    const p = createNsqPublisher({ nsqd: address, publishTimeoutMs: 100 });
    const statuses: NsqConnectionStatus[] = [];
    p.status$.subscribe({ next: (status) => statuses.push(status), complete: () => statuses.push('closed') });
    const queued = p.publish('t', 'x').catch((e: unknown) => e);
    const closing = p.close();
    expect(p.close()).toBe(closing);
    await expectAsync(p.publish('t', 'y')).toBeRejectedWithError(TransportClosedError);
    await closing;
    expect(await queued).toBeInstanceOf(PublishTimeoutError);
    expect(statuses.slice(-2)).toEqual(['closed', 'closed']);
    const late: NsqConnectionStatus[] = [];
    p.status$.subscribe((status) => late.push(status));
    expect(late).toEqual(['closed']);
    await expectAsync(p.publish('t', 'z')).toBeRejectedWithError(TransportClosedError);
  });
});

/**
 * The cause a publisher's `PublishTimeoutError` carries, without nsqd: a peer
 * that accepts TCP and never answers IDENTIFY (a hung or wrong server). Refused
 * dials, TLS and AUTH failures: spec/integration/nsq-publisher.spec.ts,
 * nsq-auth.spec.ts.
 */
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
    expect((error as Error).message).toBe(
      `publish to t (not sent: no connection was ready) timed out after 300 ms${named}`,
    );
    expect(String((error as Error).stack).split('\n')[0]).toContain(named);
  });

  it('has no cause, and the plain message, when no connection attempt has failed yet', async () => {
    publisher = createNsqPublisher({ nsqd: address, connectTimeoutMs: 5_000, publishTimeoutMs: 100 });
    const error = await publisher.publish('t', 'x').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PublishTimeoutError);
    expect((error as PublishTimeoutError).cause).toBeUndefined();
    expect((error as Error).message).toBe(
      'publish to t (not sent: no connection was ready) timed out after 100 ms',
    );
  });
});
