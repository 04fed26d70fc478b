/**
 * The service's pipe and lifecycle in virtual time: middleware order and
 * count, one answer per request, routes changed at run time, hooks, the
 * drain, and the wiring checks of init().
 */
import * as t from 'io-ts';
import { map, mergeMap, tap, timer } from 'rxjs';
import { memoryBroker } from '../../src/broker/memory/memoryBroker.js';
import { memoryTransport } from '../../src/transport/memoryTransport.js';
import { handlerMiddleware } from '../../src/transport/middleware.js';
import { createService } from '../../src/service/createService.js';
import { DuplicateActionError, MissingDependencyError } from '../../src/service/errors.js';
import type { Service, ServiceOptions } from '../../src/service/types.js';
import type { Delivery } from '../../src/delivery/types.js';
import type { TestScheduler } from 'rxjs/testing';
import { testScheduler } from '../helpers/marbles.js';
import { mathService, outcome } from './behaviour.js';

/** A service `math` on its own memory transport in virtual time, with no namespace consumer, and `more` options. */
const mathAlone = (scheduler: TestScheduler, more: Partial<ServiceOptions> = {}): Service =>
  createService({
    name: 'math',
    version: 'v1',
    transport: memoryTransport({ scheduler }),
    scheduler,
    namespace: false,
    ...more,
  });

describe('service pipe and lifecycle', () => {
  it('runs the middleware in the order given, each once per call, whatever the outcome', () => {
    const seen: string[] = [];
    const mark = (name: string) => tap((d: Delivery) => seen.push(`${name} ${d.topic}`));
    const scheduler = testScheduler();
    scheduler.run(({ cold, expectObservable }) => {
      const svc = mathAlone(scheduler, {
        pipeline: [mark('pipeline')],
      });
      svc.use(mark('first')).use(mark('second'));
      svc.use(handlerMiddleware((next) => (d) => (seen.push(`wrapper ${d.topic}`), next(d))));
      svc.action('math.add', t.type({ a: t.number, b: t.number }), ({ a, b }) => a + b);
      svc.action('math.fail', t.type({}), () => {
        throw new Error('no');
      });
      void svc.start();
      expectObservable(outcome(svc.call$('math.add', { a: 1, b: 2 }))).toBe('(r|)', { r: { value: 3 } });
      cold('-a').subscribe(() => svc.call$('math.add', {}).subscribe({ error: () => undefined }));
      cold('--a').subscribe(() => svc.call$('math.fail', {}).subscribe({ error: () => undefined }));
    });
    expect(seen).toEqual([
      'pipeline math.add',
      'first math.add',
      'second math.add',
      'wrapper math.add',
      // a 400: refused by validate, after the middleware, before the handler wrappers
      'pipeline math.add',
      'first math.add',
      'second math.add',
      'pipeline math.fail',
      'first math.fail',
      'second math.fail',
      'wrapper math.fail',
    ]);
  });

  it('sends exactly one response per request, a failed one included (the original sent two)', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold, expectObservable }) => {
      const broker = memoryBroker({ scheduler });
      const svc = mathService(scheduler, memoryTransport({ scheduler, broker, service: 'math' }));
      const client = memoryTransport({ scheduler, broker, nodeId: 'client1' });
      void svc.start();
      // a second channel on the client's reply topic sees a copy of every response sent to it
      const responses = client
        .subscribeTopic(client.replyTopic, { channel: 'spy#ephemeral', maxInFlight: 10 })
        .pipe(map((d) => (d.finish(), `${String(d.message.statusCode)}`)));
      cold('-a-b-c').subscribe((which) => {
        const action = { a: 'math.add', b: 'math.fail', c: 'math.signup' }[which] as string;
        client.request(action, { a: 1, b: 2 }).subscribe({ error: () => undefined });
      });
      expectObservable(responses, '^ 100ms !').toBe('-a-b-c', { a: '200', b: '429', c: '400' });
      cold('200ms a').subscribe(() => void svc.stop());
    });
  });

  it('serves an action added at run time, and answers 404 once it is removed', () => {
    const scheduler = testScheduler();
    let svc: Service | undefined;
    scheduler.run(({ cold, expectObservable }) => {
      const broker = memoryBroker({ scheduler });
      svc = mathService(scheduler, memoryTransport({ scheduler, broker, service: 'math' }));
      const client = createService({
        name: 'client',
        version: 'v1',
        transport: memoryTransport({ scheduler, broker }),
        scheduler,
      });
      const served = svc;
      void served.start();
      cold('10ms a').subscribe(() =>
        served.action('math.mul', t.type({ a: t.number, b: t.number }), ({ a, b }) => a * b),
      );
      cold('30ms a').subscribe(() => served.removeAction('math.mul'));
      const calls = cold('20ms a 19ms b').pipe(
        map(() => outcome(client.call$('math.mul', { a: 2, b: 3 }, { timeout: 5_000 }))),
      );
      // at 40 no consumer takes math.mul any more: the namespace consumer finds it at its poll (1 s)
      expectObservable(calls.pipe(map((o) => o))).toBe('20ms a 19ms b', {
        a: jasmine.anything(),
        b: jasmine.anything(),
      });
      const results: unknown[] = [];
      calls.subscribe((o) => o.subscribe((r) => results.push([scheduler.now(), r])));
      cold('3000ms a').subscribe(() => {
        expect(results).toEqual([
          [20, { value: 6 }],
          [1000, { status: 404, error: 'not found: math.mul', issues: [] }],
        ]);
        void served.stop();
      });
    });
    expect(svc?.actions()).not.toContain('math.mul');
  });

  it('answers a call in flight when its action is removed and served again, and the new calls get the new codec and handler', () => {
    const scheduler = testScheduler();
    let svc: Service | undefined;
    scheduler.run(({ cold, expectObservable }) => {
      const served = mathAlone(scheduler);
      svc = served;
      served.action('math.slow', t.type({}), () => timer(10).pipe(map(() => 'old')));
      void served.start();
      cold('5ms a').subscribe(() => served.removeAction('math.slow'));
      cold('6ms a').subscribe(() =>
        served.action('math.slow', t.type({ x: t.number }), ({ x }) => `new ${x}`),
      );
      expectObservable(outcome(served.call$('math.slow', {}))).toBe('10ms (r|)', { r: { value: 'old' } });
      expectObservable(cold('7ms a').pipe(mergeMap(() => outcome(served.call$('math.slow', { x: 1 }))))).toBe(
        '7ms r',
        { r: { value: 'new 1' } },
      );
      expectObservable(cold('8ms a').pipe(mergeMap(() => outcome(served.call$('math.slow', {}))))).toBe(
        '8ms r',
        {
          r: {
            status: 400,
            error: jasmine.stringContaining('x'),
            issues: [jasmine.objectContaining({ path: 'x' })],
          },
        },
      );
    });
    // the call answered after its action came back is counted with the new calls
    expect(svc?.metrics.export()['action.math.slow.calls']).toBe(3);
    expect(svc?.metrics.export()['action.math.slow.errors']).toBe(1);
  });

  it('takes the in-process path only while the action is served: removed, a call goes to the bus; served again, in-process', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold, expectObservable }) => {
      const svc = mathAlone(scheduler);
      svc.action('math.add', t.type({ a: t.number, b: t.number }), ({ a, b }) => a + b);
      void svc.start();
      const call = () => outcome(svc.call$('math.add', { a: 1, b: 2 }, { timeout: 50 }));
      expectObservable(call()).toBe('(r|)', { r: { value: 3 } });
      cold('1ms a').subscribe(() => svc.removeAction('math.add'));
      // nobody consumes math.add on the bus any more: the request times out there
      expectObservable(cold('2ms a').pipe(mergeMap(call))).toBe('52ms r', {
        r: { name: 'TimeoutError', message: jasmine.stringContaining('math.add') },
      });
      cold('60ms a').subscribe(() =>
        svc.action('math.add', t.type({ a: t.number, b: t.number }), ({ a, b }) => a * b),
      );
      expectObservable(cold('61ms a').pipe(mergeMap(call))).toBe('61ms r', { r: { value: 2 } });
      cold('100ms a').subscribe(() => void svc.stop());
    });
  });

  it('calls onInit, onStart, onError and onStop, in that order', async () => {
    const calls: string[] = [];
    const scheduler = testScheduler();
    let stopped: Promise<void> | undefined;
    scheduler.run(({ cold }) => {
      const svc = mathAlone(scheduler, {
        hooks: {
          onInit: () => void calls.push('init'),
          onStart: () => void calls.push('start'),
          onStop: () => void calls.push('stop'),
          onError: (error, info) => void calls.push(`error ${info.action ?? ''} ${String(info.statusCode)}`),
        },
      });
      svc.action('math.fail', t.type({}), () => {
        throw Object.assign(new Error('busy'), { statusCode: 503 });
      });
      void svc.start();
      cold('-a').subscribe(() => svc.call$('math.fail', {}).subscribe({ error: () => undefined }));
      cold('--a').subscribe(() => (stopped = svc.stop()));
    });
    await stopped;
    expect(calls).toEqual(['init', 'start', 'error math.fail 503', 'stop']);
  });

  it('drains on stop: takes no new calls, answers the one in flight, then stops', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold, expectObservable }) => {
      const broker = memoryBroker({ scheduler });
      const svc = mathService(scheduler, memoryTransport({ scheduler, broker, service: 'math' }));
      const client = memoryTransport({ scheduler, broker });
      void svc.start();
      const inFlight = cold('10ms a').pipe(map(() => outcome(client.request('math.slow', {}))));
      const late = cold('50ms a').pipe(
        map(() => outcome(client.request('math.add', { a: 1, b: 1 }, { timeout: 500 }))),
      );
      cold('20ms a').subscribe(() => void svc.stop());
      expectObservable(svc.state$).toBe('a 19ms b 89ms c', { a: 'started', b: 'stopping', c: 'stopped' });
      // the slow call started at 10 is answered at 110; the call at 50 is left at the broker and times out
      expectObservable(inFlight.pipe(map((o) => o))).toBe('10ms a', { a: jasmine.anything() });
      const answers: unknown[] = [];
      inFlight.subscribe((o) => o.subscribe((r) => answers.push([scheduler.now(), r])));
      late.subscribe((o) => o.subscribe((r) => answers.push([scheduler.now(), r])));
      cold('1000ms a').subscribe(() =>
        expect(answers).toEqual([
          [110, { value: jasmine.objectContaining({ statusCode: 200, body: { result: 'late' } }) }],
          [550, { name: 'TimeoutError', message: 'request math.add timed out after 500 ms' }],
        ]),
      );
    });
  });

  it('stops waiting for the drain after drainTimeoutMs', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold, expectObservable }) => {
      const svc = mathAlone(scheduler, {
        drainTimeoutMs: 30,
      });
      svc.action('math.slow', t.type({}), () => timer(100, scheduler).pipe(map(() => 'late')));
      void svc.start();
      cold('10ms a').subscribe(() => svc.call$('math.slow', {}).subscribe({ error: () => undefined }));
      cold('20ms a').subscribe(() => void svc.stop());
      expectObservable(svc.state$).toBe('a 19ms b 29ms c', { a: 'started', b: 'stopping', c: 'stopped' });
    });
  });

  it('refuses to start without a transport, naming it', async () => {
    const svc = createService({ name: 'math', version: 'v1' } as unknown as ServiceOptions);
    await expectAsync(svc.init()).toBeRejectedWith(new MissingDependencyError('transport'));
    await expectAsync(svc.start()).toBeRejectedWithError(
      MissingDependencyError,
      'missing dependency: transport',
    );
    const noVersion = createService({
      name: 'math',
      transport: memoryTransport(),
    } as unknown as ServiceOptions);
    await expectAsync(noVersion.init()).toBeRejectedWithError(MissingDependencyError, /version/);
  });

  it('refuses a second action under one name with a DuplicateActionError', () => {
    const svc = createService({ name: 'math', version: 'v1', transport: memoryTransport() });
    svc.action('math.add', t.type({}), () => 1);
    expect(() => svc.registerAction('math.add', [], () => 2)).toThrowError(DuplicateActionError);
  });

  it('refuses a malformed field list when the action is registered', () => {
    const svc = createService({ name: 'math', version: 'v1', transport: memoryTransport() });
    expect(() =>
      svc.registerAction('math.x', [{ name: 'n', type: 'float' as 'number' }], () => 1),
    ).toThrowError(TypeError, /unknown type "float"/);
  });
});
