/**
 * The service side of the request/reply benchmark, run in its own process
 * (`fork`), so client and service do not share a core's event loop — the set-up
 * issue 3's request/response target is stated for.
 *
 *   node responder.js <impl> <nsqdHost> <nsqdPort> <requestTopic> <replyTopic>
 *
 * It consumes `requestTopic` on channel `svc` without output buffering, echoes
 * each body to `replyTopic`, and FINs the request. It tells the parent `ready`
 * over IPC and stops on `stop` or when the parent goes away.
 */
import * as nsq from 'nsqjs';

export const RESPONDER_CHANNEL = 'svc';

/** Messages between the benchmark and its responder. */
export type ResponderMessage = { readonly type: 'ready' } | { readonly type: 'stop' };

/** A responder process never outlives this, whatever happens to its parent. */
const LIFETIME_MS = 5 * 60_000;

interface Responder {
  ready: Promise<void>;
  close(): void;
}

const rawResponder = (host: string, port: number, requestTopic: string, replyTopic: string): Responder => {
  const writer = new nsq.Writer(host, port);
  const reader = new nsq.Reader(requestTopic, RESPONDER_CHANNEL, {
    nsqdTCPAddresses: [`${host}:${port}`],
    maxInFlight: 500,
    outputBufferSize: -1,
  });
  const fail = (error: Error): void => {
    process.stderr.write(`responder: ${error.message}\n`);
    process.exit(1);
  };
  writer.on('error', fail);
  reader.on('error', fail);
  const ready = Promise.all([
    new Promise<void>((resolve) => writer.once('ready', () => resolve())),
    new Promise<void>((resolve) => reader.once('ready', () => resolve())),
  ]).then(() => undefined);
  reader.on('message', (message) => {
    writer.publish(replyTopic, message.body, (error) => {
      if (error) fail(error);
    });
    message.finish();
  });
  writer.connect();
  reader.connect();
  return {
    ready,
    close: () => {
      reader.close();
      writer.close();
    },
  };
};

// ─── rxmini responder: TO FILL IN when src/transport's respond() lands ───────
// const rxminiResponder = (...): Responder => { createTransport(nsqBroker(...)) … respond(request, body) };
// ─────────────────────────────────────────────────────────────────────────────

const main = (): void => {
  const [impl, host, port, requestTopic, replyTopic] = process.argv.slice(2);
  if (!host || !port || !requestTopic || !replyTopic || !process.send) {
    throw new Error('usage (forked): responder.js <impl> <nsqdHost> <nsqdPort> <requestTopic> <replyTopic>');
  }
  if (impl !== 'raw') throw new Error(`responder: implementation "${impl}" is not written yet`);
  const responder = rawResponder(host, Number(port), requestTopic, replyTopic);
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    responder.close();
    // let the close frames go out, then leave even if a socket lingers
    setTimeout(() => process.exit(0), 300);
  };
  setTimeout(stop, LIFETIME_MS).unref();
  process.on('disconnect', stop);
  process.on('message', (message: ResponderMessage) => {
    if (message.type === 'stop') stop();
  });
  void responder.ready.then(() => process.send?.({ type: 'ready' } satisfies ResponderMessage));
};

if (require.main === module) main();
