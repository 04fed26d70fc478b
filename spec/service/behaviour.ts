/**
 * One behaviour, two paths: the same calls made in-process (`svc.call` on an
 * action the process serves) and over the memory transport (from another node
 * on the same broker) must give the same results and the same errors. Run by
 * createService.spec.ts both ways, in virtual time.
 */
import * as t from 'io-ts';
import { catchError, map, of, timer, type Observable } from 'rxjs';
import type { TestScheduler } from 'rxjs/testing';
import { memoryBroker } from '../../src/broker/memory/memoryBroker.js';
import { ResponseError } from '../../src/transport/errors.js';
import { memoryTransport } from '../../src/transport/memoryTransport.js';
import { issuesOf } from '../../src/service/answer.js';
import { createService } from '../../src/service/createService.js';
import type { Service } from '../../src/service/types.js';
import { testScheduler } from '../helpers/marbles.js';

/** A call's outcome as a plain value: its result, or what its error says. */
export const outcome = (call: Observable<unknown>): Observable<unknown> =>
  call.pipe(
    map((value) => ({ value })),
    catchError((error: unknown) =>
      of(
        error instanceof ResponseError
          ? { status: error.statusCode, error: error.remoteMessage, issues: issuesOf(error) }
          : { name: (error as Error).name, message: (error as Error).message },
      ),
    ),
  );

export const Signup = t.type({ email: t.string, age: t.number, plan: t.keyof({ free: null, pro: null }) });

/** A codec that throws (a bug in a custom codec) for a body with `boom`. */
const Brittle = new t.Type<{ n: number }>(
  'Brittle',
  (u): u is { n: number } => t.type({ n: t.number }).is(u),
  (u, c) => {
    if (typeof u === 'object' && u !== null && 'boom' in u) throw new Error('codec bug');
    return t.type({ n: t.number }).validate(u, c);
  },
  (a) => a,
);

/** The service under test: math.add, users.signup (codec), users.invite (field list), math.fail, math.slow. */
export const mathService = (
  scheduler: TestScheduler,
  transport = memoryTransport({ scheduler }),
): Service => {
  const svc = createService({ name: 'math', version: 'v1', transport, scheduler });
  svc.action('math.add', t.type({ a: t.number, b: t.number }), ({ a, b }) => ({ sum: a + b }));
  svc.action('math.signup', Signup, ({ email }) => ({ welcome: email }));
  svc.registerAction(
    'math.invite',
    [
      { name: 'email', type: 'string', required: true, pattern: '^[^@]+@[^@]+$' },
      { name: 'age', type: 'integer', min: 18 },
      { name: 'plan', type: 'string', enum: ['free', 'pro'], message: 'pick a plan' },
    ],
    ({ email }) => ({ invited: email }),
  );
  svc.action('math.fail', t.type({}), () => {
    throw Object.assign(new Error('quota exceeded'), { statusCode: 429 });
  });
  svc.action('math.crash', t.type({}), () => {
    throw new TypeError('undefined is not a function');
  });
  svc.action('math.slow', t.type({}), () => timer(100, scheduler).pipe(map(() => 'late')));
  svc.action('math.brittle', Brittle, ({ n }) => ({ n }));
  return svc;
};

export type CallPath = 'in-process' | 'over the bus';

/**
 * The behaviour, for one path. `callerOf` gives what makes the calls: the
 * service itself (in-process) or a service on another node of the same broker.
 */
export const serviceBehaviour = (path: CallPath): void => {
  const marbles = testScheduler;

  /** Runs `body` with the service started and a caller for `path`; stops both at `endFrame`. */
  const withService = (
    body: (
      caller: Service,
      svc: Service,
      helpers: Parameters<Parameters<TestScheduler['run']>[0]>[0],
    ) => void,
    endFrame = 2_000,
  ): void => {
    const scheduler = marbles();
    scheduler.run((helpers) => {
      const broker = memoryBroker({ scheduler });
      const svc = mathService(scheduler, memoryTransport({ scheduler, broker, service: 'math' }));
      const caller =
        path === 'in-process'
          ? svc
          : createService({
              name: 'client',
              version: 'v1',
              transport: memoryTransport({ scheduler, broker, service: 'client' }),
              scheduler,
            });
      void svc.start();
      body(caller, svc, helpers);
      helpers.cold(`${endFrame}ms a`).subscribe(() => void svc.stop());
    });
  };

  describe(`calls ${path}`, () => {
    it('answers a result in the frame of the call', () => {
      withService((caller, _svc, { expectObservable }) => {
        expectObservable(outcome(caller.call$('math.add', { a: 2, b: 3 }))).toBe('(r|)', {
          r: { value: { sum: 5 } },
        });
      });
    });

    it('answers 400 listing the three failing fields of a codec in a stable order', () => {
      withService((caller, _svc, { expectObservable }) => {
        expectObservable(outcome(caller.call$('math.signup', { age: 'old', plan: 'gold' }))).toBe('(e|)', {
          e: {
            status: 400,
            error: jasmine.stringMatching(/^invalid body of math.signup: email: required; age: /),
            issues: [
              { path: 'email', expected: 'required', message: 'email: required' },
              { path: 'age', expected: 'number', message: 'age: expected number, got string "old"' },
              {
                path: 'plan',
                expected: '"free" | "pro"',
                message: 'plan: expected "free" | "pro", got string "gold"',
              },
            ],
          },
        });
      });
    });

    it('answers 400 listing the three failing fields of a field list in their order', () => {
      withService((caller, _svc, { expectObservable }) => {
        expectObservable(
          outcome(caller.call$('math.invite', { email: 'nobody', age: 12, plan: 'gold' })),
        ).toBe('(e|)', {
          e: {
            status: 400,
            error:
              'invalid body of math.invite: email: must match /^[^@]+@[^@]+$/; age: must be ≥ 18; plan: pick a plan',
            issues: [
              {
                path: 'email',
                expected: 'pattern:^[^@]+@[^@]+$',
                message: 'email: must match /^[^@]+@[^@]+$/',
              },
              { path: 'age', expected: 'min:18', message: 'age: must be ≥ 18' },
              { path: 'plan', expected: 'enum:"free", "pro"', message: 'plan: pick a plan' },
            ],
          },
        });
      });
    });

    it('answers a thrown error with its status and message, and no stack', () => {
      withService((caller, _svc, { expectObservable }) => {
        expectObservable(outcome(caller.call$('math.fail', {}))).toBe('(e|)', {
          e: { status: 429, error: 'quota exceeded', issues: [] },
        });
        expectObservable(outcome(caller.call$('math.crash', {}))).toBe('(e|)', {
          e: { status: 500, error: 'undefined is not a function', issues: [] },
        });
      });
    });

    it("answers 500 when the action's codec throws, and goes on serving", () => {
      withService((caller, _svc, { expectObservable }) => {
        expectObservable(outcome(caller.call$('math.brittle', { boom: true }))).toBe('(e|)', {
          e: { status: 500, error: 'codec bug', issues: [] },
        });
        expectObservable(outcome(caller.call$('math.brittle', { n: 7 }))).toBe('(r|)', {
          r: { value: { n: 7 } },
        });
      });
    });

    it('times a slow action out at the caller after its timeout', () => {
      withService((caller, _svc, { expectObservable }) => {
        expectObservable(outcome(caller.call$('math.slow', {}, { timeout: 20 }))).toBe('20ms (e|)', {
          e: { name: 'TimeoutError', message: 'request math.slow timed out after 20 ms' },
        });
      });
    });

    it('refuses a bad call with a BadRequestError, as an error of the call', () => {
      withService((caller, _svc, { expectObservable }) => {
        const badRequest = (message: string) => ({
          name: 'BadRequestError',
          message: jasmine.stringContaining(message),
        });
        expectObservable(outcome(caller.call$('math.add', { a: 1, b: 2 }, { timeout: -1 }))).toBe('(e|)', {
          e: badRequest('request timeout must be a number of ms'),
        });
        expectObservable(outcome(caller.call$('math.add', [1, 2] as never))).toBe('(e|)', {
          e: badRequest('the input of math.add must be an object'),
        });
      });
    });

    it('answers 404 for an action the service does not serve (its namespace is consumed)', () => {
      withService((caller, _svc, { expectObservable }) => {
        // the namespace consumer picks the new topic up at its next poll (1 s)
        expectObservable(outcome(caller.call$('math.nope', {}, { timeout: 5_000 }))).toBe('1000ms (e|)', {
          e: { status: 404, error: 'not found: math.nope', issues: [] },
        });
      });
    });

    it('stops waiting when unsubscribed: nothing is emitted, and the service still answers and counts it', () => {
      let svc: Service | undefined;
      withService((caller, served, { expectObservable }) => {
        svc = served;
        expectObservable(outcome(caller.call$('math.slow', {})), '^ 10ms !').toBe('');
      });
      expect(svc?.metrics.export()).toEqual(jasmine.objectContaining({ 'action.math.slow.calls': 1 }));
    });

    it('counts a call the service answered after its caller timed out', () => {
      let svc: Service | undefined;
      withService((caller, served, { cold }) => {
        svc = served;
        cold('-a').subscribe(() => {
          caller.call$('math.slow', {}, { timeout: 20 }).subscribe({ error: () => undefined });
        });
      });
      expect(svc?.metrics.export()).toEqual(
        jasmine.objectContaining({
          'action.math.slow.calls': 1,
          'action.math.slow.latency_ms.sum': 100,
        }),
      );
    });

    it('counts each call once in the action metrics', () => {
      let svc: Service | undefined;
      withService((caller, served, { cold }) => {
        svc = served;
        cold('-a').subscribe(() => {
          caller.call$('math.add', { a: 1, b: 1 }).subscribe();
          caller.call$('math.add', { a: 1 }).subscribe({ error: () => undefined });
          caller.call$('math.fail', {}).subscribe({ error: () => undefined });
        });
      });
      expect(svc?.metrics.export()).toEqual(
        jasmine.objectContaining({
          'action.math.add.calls': 2,
          'action.math.add.errors': 1,
          'action.math.add.latency_ms.count': 2,
          'action.math.fail.calls': 1,
          'action.math.fail.errors': 1,
        }),
      );
    });
  });
};
