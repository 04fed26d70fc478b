import * as t from 'io-ts';
import { map, timer } from 'rxjs';
import type { TestScheduler } from 'rxjs/testing';
import { memoryBroker } from '../../src/broker/memory/memoryBroker.js';
import { TimeoutError, ValidationError } from '../../src/errors.js';
import { ResponseError } from '../../src/transport/errors.js';
import { memoryTransport } from '../../src/transport/memoryTransport.js';
import { issuesOf } from '../../src/service/answer.js';
import { createClient, type Client, type InputOf, type OutputOf } from '../../src/service/createClient.js';
import { createService } from '../../src/service/createService.js';
import { defineAction } from '../../src/service/defineAction.js';
import { testScheduler } from '../helpers/marbles.js';
import { outcome } from './behaviour.js';

// the definitions both sides import
const Add = defineAction('math.add', t.type({ a: t.number, b: t.number }), t.type({ sum: t.number }));
const Slow = defineAction('math.slow', t.type({}), t.string);
/** Served with a handler whose result breaks the output codec, as a drifted server would. */
const Drifted = defineAction('math.drifted', t.type({}), t.type({ sum: t.number }));
const Fail = defineAction('math.fail', t.type({}), t.type({}));

const actions = { add: Add, slow: Slow, drifted: Drifted, fail: Fail };

/** Runs `body` with the math service started on one memory transport and a client on another. */
const withClient = (
  body: (client: Client<typeof actions>, helpers: Parameters<Parameters<TestScheduler['run']>[0]>[0]) => void,
): void => {
  const scheduler = testScheduler();
  scheduler.run((helpers) => {
    const broker = memoryBroker({ scheduler });
    const svc = createService({
      name: 'math',
      version: 'v1',
      transport: memoryTransport({ scheduler, broker, service: 'math' }),
      scheduler,
    });
    svc.action(Add, ({ a, b }) => ({ sum: a + b }));
    svc.action(Slow, () => timer(100, scheduler).pipe(map(() => 'late')));
    svc.action('math.drifted', t.type({}), () => ({ sum: 'three' }));
    svc.action(Fail, () => {
      throw Object.assign(new Error('quota exceeded'), { statusCode: 429 });
    });
    void svc.start();
    const client = createClient(memoryTransport({ scheduler, broker, service: 'client' }), actions);
    body(client, helpers);
    helpers.cold('2000ms a').subscribe(() => void svc.stop());
  });
};

describe('service/createClient', () => {
  it('infers input and output types from the definitions', () => {
    type AddInput = InputOf<typeof Add>;
    type AddOutput = OutputOf<typeof Add>;
    const input: AddInput = { a: 1, b: 2 };
    const output: AddOutput = { sum: 3 };
    const client = createClient(memoryTransport(), actions);
    // type-level only: none of these calls is made
    const typed = (): void => {
      const sum: Promise<{ sum: number }> = client.add({ a: 1, b: 2 });
      const late: Promise<string> = client.call(Slow, {});
      // @ts-expect-error b is missing
      void client.add({ a: 1 });
      // @ts-expect-error a must be a number
      void client.call(Add, { a: '1', b: 2 });
      // @ts-expect-error the output is { sum: number }, not a string
      const wrong: Promise<string> = client.add({ a: 1, b: 2 });
      // @ts-expect-error no such action
      void client.subtract({ a: 1, b: 2 });
      void [sum, late, wrong];
    };
    expect(typeof typed).toBe('function');
    expect([input, output]).toEqual([{ a: 1, b: 2 }, { sum: 3 }]);
  });

  it('answers a call through its method, decoded by the output codec', () => {
    withClient((client, { expectObservable }) => {
      expectObservable(outcome(client.call$(Add, { a: 2, b: 3 }))).toBe('(r|)', { r: { value: { sum: 5 } } });
    });
  });

  it('resolves a method call with the decoded output', async () => {
    const broker = memoryBroker();
    const svc = createService({ name: 'math', version: 'v1', transport: memoryTransport({ broker }) });
    svc.action(Add, ({ a, b }) => ({ sum: a + b }));
    await svc.start();
    const client = createClient(memoryTransport({ broker }), actions);
    try {
      expect(await client.add({ a: 40, b: 2 })).toEqual({ sum: 42 });
    } finally {
      await svc.stop();
    }
  });

  it('waits for a slow action in virtual time', () => {
    withClient((client, { expectObservable }) => {
      expectObservable(outcome(client.call$(Slow, {}))).toBe('100ms (r|)', { r: { value: 'late' } });
    });
  });

  it('fails with a TimeoutError when the answer is later than the timeout', () => {
    withClient((client, { expectObservable }) => {
      expectObservable(
        client.call$(Slow, {}, { timeout: 50 }).pipe(
          map(() => 'answered'),
          // the error's class, as the marble shows it
        ),
      ).toBe('50ms #', undefined, jasmine.any(TimeoutError));
    });
  });

  it('fails a 400 with the same ResponseError and issues svc.call gives', () => {
    withClient((client, { expectObservable }) => {
      const badInput = { a: 1 } as unknown as InputOf<typeof Add>;
      expectObservable(outcome(client.call$(Add, badInput))).toBe('(e|)', {
        e: {
          status: 400,
          error: jasmine.stringMatching(/^invalid body of math.add: b: required/),
          issues: [{ path: 'b', expected: 'required', message: 'b: required' }],
        },
      });
    });
  });

  it('fails a thrown error with its status', () => {
    withClient((client, { expectObservable }) => {
      expectObservable(outcome(client.call$(Fail, {}))).toBe('(e|)', {
        e: { status: 429, error: 'quota exceeded', issues: [] },
      });
    });
  });

  it('fails a 404 for an action nobody serves', () => {
    withClient((client, { expectObservable }) => {
      const Missing = defineAction('math.missing', t.type({}), t.unknown);
      // the service's namespace consumer picks the new topic up at its next poll (1 s)
      expectObservable(outcome(client.call$(Missing, {}))).toBe('1000ms (e|)', {
        e: { status: 404, error: 'not found: math.missing', issues: [] },
      });
    });
  });

  it('fails a result the output codec refuses with a ValidationError naming the field', () => {
    withClient((client, { expectObservable }) => {
      expectObservable(outcome(client.call$(Drifted, {}))).toBe('(e|)', {
        e: {
          name: 'ValidationError',
          message: jasmine.stringMatching(/^invalid result of math.drifted: result\.sum: expected number/),
        },
      });
    });
    let caught: unknown;
    withClient((client, { cold }) => {
      cold('-a').subscribe(() => client.call$(Drifted, {}).subscribe({ error: (e) => (caught = e) }));
    });
    expect(caught).toBeInstanceOf(ValidationError);
    expect((caught as ValidationError).issues.map((issue) => issue.path)).toEqual(['result.sum']);
  });

  it('keeps the error responses typed: a ResponseError carries the response', () => {
    let caught: unknown;
    withClient((client, { cold }) => {
      cold('-a').subscribe(() => client.call$(Fail, {}).subscribe({ error: (e) => (caught = e) }));
    });
    expect(caught).toBeInstanceOf(ResponseError);
    expect((caught as ResponseError).statusCode).toBe(429);
    expect(issuesOf(caught)).toEqual([]);
  });

  it('refuses what is not a definition, and method names the client has itself', () => {
    expect(() => createClient(memoryTransport(), { add: {} as typeof Add })).toThrowError(TypeError, /add/);
    expect(() => createClient(memoryTransport(), { call: Add })).toThrowError(TypeError, /call is taken/);
    expect(() => createClient(undefined as never, actions)).toThrowError(TypeError);
  });
});
