/**
 * Streaming replies on the embedded memory transport: one request, many
 * replies. The service streams report rows from an async generator, pulled
 * only as fast as the client consumes them (a window of 2 rows ahead); the
 * client takes the first 3 rows and unsubscribes, which stops the generator.
 */
import { firstValueFrom, map, take, toArray } from 'rxjs';
import { handleDeliveries, memoryBroker, memoryTransport } from '../src/index.js';

export const streamingReplies = async (): Promise<{
  rows: unknown[];
  produced: number;
  stopped: boolean;
}> => {
  const broker = memoryBroker();
  const service = memoryTransport({ broker, service: 'report' });
  const client = memoryTransport({ broker });
  let produced = 0;
  let stopped = false;
  const rows = async function* () {
    try {
      for (let i = 0; i < 1_000; i++) {
        produced += 1;
        yield { i };
      }
    } finally {
      stopped = true; // the client's unsubscribe cancelled the stream
    }
  };

  service
    .subscribeTopic('report.rows')
    .pipe(handleDeliveries(async (d) => void (await service.respondStream(d.message, rows()))))
    .subscribe();

  const got = await firstValueFrom(
    client.requestStream('report.rows', {}, { window: 2, timeout: 1_000 }).pipe(
      map((reply) => reply.body?.['result']),
      take(3),
      toArray(),
    ),
  );
  await new Promise((resolve) => setTimeout(resolve, 10)); // the cancel reaches the service
  await Promise.all([client.close(), service.close()]);
  await broker.close();
  return { rows: got, produced, stopped };
};
