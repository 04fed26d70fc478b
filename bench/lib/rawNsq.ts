/**
 * Plain nsqjs, used as the baseline and to pre-fill topics. Nothing here goes
 * through rxmini: no corking, no batching, no guards.
 */
import * as nsq from 'nsqjs';

/** A connected raw Writer. */
export const openRawWriter = (host: string, port: number): Promise<nsq.Writer> =>
  new Promise((resolve, reject) => {
    const writer = new nsq.Writer(host, port);
    const onError = (error: Error): void => reject(error);
    writer.once('error', onError);
    writer.once('ready', () => {
      writer.removeListener('error', onError);
      // later errors fail the publish callbacks; the emitter must still have a listener
      writer.on('error', () => undefined);
      resolve(writer);
    });
    writer.connect();
  });

export const closeRawWriter = (writer: nsq.Writer): Promise<void> =>
  new Promise((resolve) => {
    writer.once('closed', () => resolve());
    writer.close();
    // nsqjs does not always emit `closed` for a clean close
    setTimeout(resolve, 200).unref();
  });

/**
 * Publishes `count` copies of `body` as MPUB arrays of `batchSize`, `inFlight`
 * at a time, and resolves when nsqd acknowledged them all.
 */
export const rawMpub = (
  writer: nsq.Writer,
  topic: string,
  body: Buffer,
  count: number,
  batchSize = 200,
  inFlight = 4,
): Promise<void> =>
  new Promise((resolve, reject) => {
    let sent = 0;
    let acknowledged = 0;
    let failed = false;
    const next = (): void => {
      if (failed || sent >= count) return;
      const size = Math.min(batchSize, count - sent);
      sent += size;
      writer.publish(topic, new Array<Buffer>(size).fill(body), (error) => {
        if (error) {
          failed = true;
          reject(error);
          return;
        }
        acknowledged += size;
        if (acknowledged === count) resolve();
        else next();
      });
    };
    for (let i = 0; i < inFlight; i += 1) next();
  });
