/**
 * Introspection in virtual time: `svc.describe()`, and the describe action
 * `<name>._describe` answering the same over the memory transport and
 * in-process.
 */
import { isRight } from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import { map } from 'rxjs';
import { BodyKey } from '../../src/constant/index.js';
import { memoryBroker } from '../../src/broker/memory/memoryBroker.js';
import { memoryTransport } from '../../src/transport/memoryTransport.js';
import { createService } from '../../src/service/createService.js';
import { DESCRIBE_SUFFIX, ServiceDescription, describeAction } from '../../src/service/describe.js';
import { DuplicateActionError, MissingDependencyError } from '../../src/service/errors.js';
import { JSON_SCHEMA_DIALECT, fieldsJsonSchema, toJsonSchema } from '../../src/service/jsonSchema.js';
import { testScheduler } from '../helpers/marbles.js';
import { Signup, mathService, outcome } from './behaviour.js';

describe('service/describe', () => {
  it('names the describe action <service>._describe, a valid NSQ topic ($ is not allowed in one)', () => {
    expect(DESCRIBE_SUFFIX).toBe('._describe');
    expect(describeAction('math').name).toBe('math._describe');
  });

  it('tells name, version, node id and each action, sorted, with the schema of its input and output', () => {
    const scheduler = testScheduler();
    scheduler.run(() => {
      const transport = memoryTransport({ scheduler, nodeId: 'math1' });
      const svc = mathService(scheduler, transport);
      svc.action('math.neg', t.type({ n: t.number }), ({ n }) => -n, { output: t.number });
      const description = svc.describe();
      expect(isRight(ServiceDescription.decode(description))).toBeTrue();
      expect(description.name).toBe('math');
      expect(description.version).toBe('v1');
      expect(description.nodeId).toBe('math1');
      expect(description.actions.map((a) => a.name)).toEqual([
        'math.add',
        'math.brittle',
        'math.crash',
        'math.fail',
        'math.invite',
        'math.neg',
        'math.signup',
        'math.slow',
      ]);
      const byName = new Map(description.actions.map((a) => [a.name, a]));
      expect(byName.get('math.signup')).toEqual({ name: 'math.signup', input: toJsonSchema(Signup) });
      expect(byName.get('math.neg')).toEqual({
        name: 'math.neg',
        input: toJsonSchema(t.type({ n: t.number })),
        output: { $schema: JSON_SCHEMA_DIALECT, type: 'number' },
      });
      expect(byName.get('math.invite')?.input).toEqual(
        fieldsJsonSchema([
          { name: 'email', type: 'string', required: true, pattern: '^[^@]+@[^@]+$' },
          { name: 'age', type: 'integer', min: 18 },
          { name: 'plan', type: 'string', enum: ['free', 'pro'] },
        ]),
      );
    });
  });

  it('answers a describe request over the transport with what describe() tells, in the frame of the call', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold, expectObservable }) => {
      const broker = memoryBroker({ scheduler });
      const svc = mathService(scheduler, memoryTransport({ scheduler, broker, service: 'math' }));
      const client = memoryTransport({ scheduler, broker, nodeId: 'client1' });
      void svc.start();
      const expected = svc.describe();
      const result = client
        .request('math._describe', {})
        .pipe(map((response) => response.body?.[BodyKey.RESULT]));
      expectObservable(outcome(result)).toBe('(d|)', { d: { value: expected } });
      cold('100ms a').subscribe(() => void svc.stop());
    });
  });

  it('answers the typed describe action the same from another service and in-process', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold, expectObservable }) => {
      const broker = memoryBroker({ scheduler });
      const svc = mathService(scheduler, memoryTransport({ scheduler, broker, service: 'math' }));
      const caller = createService({
        name: 'client',
        version: 'v1',
        transport: memoryTransport({ scheduler, broker, service: 'client' }),
        scheduler,
      });
      void svc.start();
      const d = { value: svc.describe() };
      expectObservable(outcome(caller.call$(describeAction('math'), {}))).toBe('(d|)', { d });
      expectObservable(outcome(svc.call$(describeAction('math'), {}))).toBe('(d|)', { d });
      cold('100ms a').subscribe(() => void svc.stop());
    });
  });

  it('tells the actions served at the time of the request, added and removed at run time', () => {
    const seen: string[][] = [];
    const scheduler = testScheduler();
    scheduler.run(({ cold }) => {
      const broker = memoryBroker({ scheduler });
      const svc = createService({
        name: 'math',
        version: 'v2',
        transport: memoryTransport({ scheduler, broker, nodeId: 'math1' }),
        scheduler,
      });
      svc.action('math.add', t.type({ a: t.number, b: t.number }), ({ a, b }) => a + b);
      const client = memoryTransport({ scheduler, broker, nodeId: 'client1' });
      void svc.start();
      cold('-a').subscribe(() => svc.registerAction('math.mul', [{ name: 'a', type: 'number' }], () => 0));
      cold('---a').subscribe(() => svc.removeAction('math.add'));
      // requests at 0, 2 and 4: before the add (1), between it and the removal (3), after both
      cold('a-b-c').subscribe(() =>
        client.request('math._describe', {}).subscribe((response) => {
          const { actions } = response.body?.[BodyKey.RESULT] as unknown as ServiceDescription;
          seen.push(actions.map((action) => action.name));
        }),
      );
      cold('100ms a').subscribe(() => void svc.stop());
    });
    expect(seen).toEqual([['math.add'], ['math.add', 'math.mul'], ['math.mul']]);
  });

  it('keeps the describe action out of actions(), and refuses to remove or replace it', () => {
    const svc = createService({ name: 'math', version: 'v1', transport: memoryTransport() });
    expect(svc.actions()).toEqual([]);
    expect(svc.describe().actions).toEqual([]);
    expect(svc.removeAction('math._describe')).toBeFalse();
    expect(() => svc.action('math._describe', t.type({}), () => 'mine')).toThrowError(DuplicateActionError);
  });

  it('refuses at init a name whose describe action cannot be a topic', async () => {
    const name = 'a'.repeat(60); // a valid channel; `${name}._describe` is longer than a topic may be
    const svc = createService({ name, version: 'v1', transport: memoryTransport() });
    await expectAsync(svc.init()).toBeRejectedWith(jasmine.any(MissingDependencyError));
    await expectAsync(svc.init()).toBeRejectedWithError(/name.*describe action cannot be a topic/);
  });
});
