/**
 * The responder of the streams benchmark, in its own process (`fork`):
 *
 *   node streamResponder.js <nsqdTcp> <nsqdHttp> <action>
 *
 * It consumes `action` on channel `svc` and answers every stream request with
 * `respondStream` over an endless async generator of one 256 B item
 * (`{ p: 'sss…' }`), pulled only while credits allow, until the requester
 * cancels. It tells the parent `ready` once its consumer is registered, and
 * stops on `stop` or when the parent goes away.
 */
import { nsqTransport } from '../../src/transport/nsqTransport';
import { MESSAGE_BYTES } from '../publish';

/** Messages between the benchmark and its stream responder. */
export type StreamResponderMessage = { readonly type: 'ready' } | { readonly type: 'stop' };

/** A responder process never outlives this, whatever happens to its parent. */
const LIFETIME_MS = 5 * 60_000;

/** One item: a JSON body of about {@link MESSAGE_BYTES} bytes, as the publish baseline's. */
const ITEM = { p: 's'.repeat(MESSAGE_BYTES - 8) };

const items = async function* (): AsyncGenerator<typeof ITEM> {
  for (;;) yield ITEM;
};

const main = async (): Promise<void> => {
  const [tcp, http, action] = process.argv.slice(2);
  const send = process.send?.bind(process);
  if (!tcp || !http || !action || !send)
    throw new Error('usage (forked): streamResponder.js <tcp> <http> <action>');
  setTimeout(() => process.exit(2), LIFETIME_MS).unref();
  process.on('disconnect', () => process.exit(3));
  const transport = nsqTransport({
    nsqd: tcp,
    nsqdHttp: [http],
    service: 'svc',
    nodeId: `strm${process.pid}`,
    drainTimeoutMs: 1_000,
  });
  const requests$ = transport.subscribeTopic(action);
  requests$.subscribe((d) => {
    d.finish();
    transport.respondStream(d.message, items()).catch((error: unknown) => {
      process.stderr.write(`streamResponder: ${error instanceof Error ? error.message : String(error)}\n`);
    });
  });
  process.on('message', (message: StreamResponderMessage) => {
    if (message.type === 'stop') void transport.close().then(() => process.exit(0));
  });
  await requests$.ready;
  send({ type: 'ready' } satisfies StreamResponderMessage);
};

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`streamResponder: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  });
}
