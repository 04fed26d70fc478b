/**
 * `npm start`: a short tour of rxmini on the embedded memory transport (no
 * server). It encodes a request, sends it from one node to a service on another
 * and gets the reply, runs a message stream through `recoverWithContext` (one bad
 * message does not stop the rest), and prints metrics as Prometheus text.
 */
import { firstValueFrom, from, lastValueFrom, toArray } from 'rxjs';
import {
  configFromObject,
  createMetrics,
  decode,
  encode,
  getResult,
  getStringOr,
  handleDeliveries,
  memoryBroker,
  memoryTransport,
  newRequest,
  onPanic,
  recoverWithContext,
  setBodyValue,
  toPrometheus,
} from '../src/index.js';
import { createLogger } from '../src/node.js';

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

  // 2. Request/response between two nodes on the embedded transport (no server).
  const broker = memoryBroker();
  const auth = memoryTransport({ broker, service: 'auth', logger: log, metrics });
  const gateway = memoryTransport({ broker, service: 'gateway', logger: log, metrics });
  auth
    .subscribeTopic('auth.login')
    .pipe(
      handleDeliveries((d) =>
        auth.respond(d.message, { token: `jwt-for-${getStringOr(d.message, 'email', '?')}` }),
      ),
    )
    .subscribe();
  const reply = await firstValueFrom(gateway.request('auth.login', decoded.right.body, { timeout: 1000 }));
  const result = getResult(reply);
  log.info('reply correlated', {
    contextID: reply.contextID,
    result: result._tag === 'Some' ? result.value : undefined,
  });

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
  await Promise.all([auth.close(), gateway.close()]);
  await broker.close();
};

main().catch((err: unknown) => {
  process.stderr.write(`demo failed: ${String(err)}\n`);
  process.exitCode = 1;
});
