/**
 * Middleware is operators you write and pipe. `authorize()` lets through only
 * deliveries that carry a known token and fails the others with a
 * `BadRequestError`, which is never retried: it goes straight to
 * `<topic>.dead`. `traceContext()` attaches the trace id with `withContext`
 * (a delivery is not an object to spread). Marble specs of both, and of the
 * whole flow in virtual time: spec/examples/middleware.spec.ts; the tutorial:
 * docs/testing.md. Run it with `node .build/examples/04-middleware.js`.
 */
import { filter, firstValueFrom, map, type MonoTypeOperatorFunction, type Observable } from 'rxjs';
import {
  BadRequestError,
  HeaderKey,
  MessageType,
  handleDeliveries,
  memoryTransport,
  newMessage,
  type Delivery,
  type HandledDelivery,
  type Message,
  type Transport,
} from '../src/index.js';

/** Passes deliveries whose `authorization` header is one of `tokens`; fails the others, unretried. */
export const authorize = (tokens: ReadonlySet<string>): MonoTypeOperatorFunction<Delivery> =>
  filter((d) => {
    const token = d.message.header?.['authorization'];
    if (token !== undefined && tokens.has(token)) return true;
    // an operator that drops a delivery must acknowledge it: fail hands it to the dead letter
    void d.fail(new BadRequestError(`unauthorized on ${d.topic}`));
    return false;
  });

/** Attaches `traceId` (from the W3C `traceparent` header, else the context id) for the handler. */
export const traceContext = (): MonoTypeOperatorFunction<Delivery> =>
  map((d) =>
    d.withContext({
      traceId: d.message.header?.[HeaderKey.TRACEPARENT]?.split('-')[1] ?? d.message.contextID,
    }),
  );

/** The shipping service: authorized orders only, each shipped with its trace id. */
export const shipOrders = (
  bus: Transport,
  ship: (order: unknown, traceId: unknown) => void,
): Observable<HandledDelivery> =>
  bus.subscribeTopic('orders.ship').pipe(
    authorize(new Set(['secret-token'])),
    traceContext(),
    handleDeliveries((d) => ship(d.message.body?.['order'], d.context['traceId'])),
  );

/** An order event, with a token when one is given. */
export const orderEvent = (order: number, token?: string): Message => ({
  ...newMessage(MessageType.EVENT, `order-${order}`),
  header: token === undefined ? {} : { authorization: token },
  body: { order },
});

export const middleware = async (): Promise<string[]> => {
  const lines: string[] = [];
  const bus = memoryTransport({ service: 'shipping' });
  shipOrders(bus, (order, traceId) =>
    lines.push(`shipped order ${String(order)} (trace ${String(traceId)})`),
  ).subscribe();
  const refused = firstValueFrom(bus.subscribeTopic('orders.ship.dead', { channel: 'ops' }));

  await bus.publish('orders.ship', orderEvent(1, 'secret-token'));
  await bus.publish('orders.ship', orderEvent(2)); // no token
  const letter = await refused;
  letter.finish();
  lines.push(
    `dead-lettered order ${String(letter.message.body?.['order'])}: ${letter.message.header?.[HeaderKey.ERROR]}`,
  );
  await bus.close();
  return lines;
};

if (require.main === module) {
  middleware().then(
    (lines) => lines.forEach((line) => process.stdout.write(`${line}\n`)),
    (error: unknown) => {
      process.stderr.write(`04-middleware failed: ${String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
