/**
 * `npm start`: a short tour of what rxmini has today, on no server. It encodes a
 * request, correlates a reply through the conversation store, runs a message
 * stream through `recoverWithContext` (one bad message does not stop the rest),
 * and prints metrics as Prometheus text.
 */
import { from, lastValueFrom, toArray } from 'rxjs';
import {
  configFromObject,
  createConversationStore,
  createLogger,
  createMetrics,
  decode,
  encode,
  getResult,
  getString,
  newRequest,
  newResponse,
  onPanic,
  recoverWithContext,
  setBodyValue,
  setResult,
  toPrometheus,
  type Message,
} from '../src/index.js';

const main = async (): Promise<void> => {
  const config = configFromObject({ service_name: 'demo', log_level: 'info' });
  const log = createLogger(config.mustString('service_name'), config.mustString('log_level'), {
    pretty: true,
  });
  const metrics = createMetrics();

  // 1. Messages: typed, validated, and binary-safe on the wire.
  const request = setBodyValue(newRequest('auth.login'), 'email', 'ada@example.com');
  const wire = encode(request);
  const decoded = decode(wire);
  if (decoded._tag === 'Left') throw decoded.left;
  log.info('request encoded and decoded', { bytes: wire.length, node: decoded.right.node });

  // 2. Request/response correlation by contextID, with a timeout, in the store.
  const store = createConversationStore<Message>();
  const id = request.contextID as string;
  store.add({ id, replyTo: '_reply.demo' });
  const reply$ = store.waitTimeout(id, 1000);
  const email = getString(decoded.right, 'email');
  store.done(
    id,
    setResult(newResponse(id, 200), { token: `jwt-for-${email._tag === 'Some' ? email.value : '?'}` }),
  );
  const reply = await lastValueFrom(reply$);
  const result = getResult(reply);
  log.info('reply correlated', { contextID: id, result: result._tag === 'Some' ? result.value : undefined });

  // 3. One failing message is reported with its context; the stream goes on.
  const unhook = onPanic(() => metrics.inc('demo.panics'));
  const orders = ['order-1', 'bad', 'order-3'];
  const processed = await lastValueFrom(
    from(orders).pipe(
      recoverWithContext({
        label: 'orders',
        context: (order) => ({ order }),
        logger: log,
        process: (order) => {
          if (order === 'bad') throw new Error('cannot parse order');
          metrics.inc('demo.orders');
          return order.toUpperCase();
        },
      }),
      toArray(),
    ),
  );
  unhook();
  log.info('orders processed', { processed });

  // 4. Metrics, ready for a Prometheus scrape.
  metrics.observe('demo.latency_ms', 0.42);
  process.stdout.write(`\n${toPrometheus(metrics)}\n`);
  store.shutdown();
};

main().catch((err: unknown) => {
  process.stderr.write(`demo failed: ${String(err)}\n`);
  process.exitCode = 1;
});
