/**
 * A service on one node and its callers on another, over a real nsqd: each
 * node has its own NSQ connections, as separate processes would.
 */
import * as t from 'io-ts';
import { nsqBroker } from '../../src/broker/nsq/nsqBroker';
import { createTransport } from '../../src/transport/createTransport';
import type { Transport } from '../../src/transport/types';
import { createService } from '../../src/service/createService';
import { defineAction } from '../../src/service/defineAction';
import type { Service } from '../../src/service/types';
import { issuesOf } from '../../src/service/answer';
import { ResponseError } from '../../src/transport/errors';
import { describeNsq } from '../helpers/nsq';

const Add = defineAction('calc.add', t.type({ a: t.number, b: t.number }), t.type({ sum: t.number }));

describeNsq('service over nsq', (servers) => {
  let transports: Transport[];
  let service: Service;
  let client: Service;

  const transport = (name: string): Transport => {
    const made = createTransport(
      nsqBroker({
        nsqd: servers().nsqdTcp,
        nsqdHttp: [servers().nsqdHttp],
        reconnect: { initialMs: 50 },
      }),
      { service: name, pollIntervalMs: 100, closeBroker: true },
    );
    transports.push(made);
    return made;
  };

  beforeEach(async () => {
    transports = [];
    service = createService({ name: 'calc', version: 'v1', transport: transport('calc') });
    service.action(Add, ({ a, b }) => ({ sum: a + b }));
    service.registerAction(
      'calc.div',
      [
        { name: 'a', type: 'number', required: true },
        { name: 'b', type: 'number', required: true, min: 1 },
      ],
      async ({ a, b }) => ({ quotient: (a as number) / (b as number) }),
    );
    await service.start();
    client = createService({
      name: 'client',
      version: 'v1',
      transport: transport('client'),
      namespace: false,
    });
  }, 30_000);

  afterEach(async () => {
    await service.stop();
    await Promise.all(transports.map((tr) => tr.close()));
  }, 30_000);

  it('answers 100 calls from another node: results, a 400 with its fields and a 404', async () => {
    const calls = Array.from({ length: 98 }, (_, i) => client.call(Add, { a: i, b: 1 }, { timeout: 10_000 }));
    const refused = client.call('calc.div', { a: 1, b: 0 }, { timeout: 10_000 }).catch((e: unknown) => e);
    const unknown = client.call('calc.nope', {}, { timeout: 10_000 }).catch((e: unknown) => e);
    const results = await Promise.all(calls);
    expect(results).toEqual(Array.from({ length: 98 }, (_, i) => ({ sum: i + 1 })));

    const badRequest = await refused;
    expect(badRequest).toBeInstanceOf(ResponseError);
    expect((badRequest as ResponseError).statusCode).toBe(400);
    expect(issuesOf(badRequest)).toEqual([{ path: 'b', expected: 'min:1', message: 'b: must be ≥ 1' }]);

    const notFound = await unknown;
    expect(notFound).toBeInstanceOf(ResponseError);
    expect((notFound as ResponseError).statusCode).toBe(404);
    expect((notFound as ResponseError).remoteMessage).toBe('not found: calc.nope');

    expect(service.metrics.export()).toEqual(
      jasmine.objectContaining({
        'action.calc.add.calls': 98,
        'action.calc.div.errors': 1,
        action_not_found: 1,
      }),
    );
  }, 30_000);
});
