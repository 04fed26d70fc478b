import { delay, of } from 'rxjs';
import { handleDeliveries } from '../../src/operators/handleDeliveries';
import {
  createTestScheduler,
  memoryBroker,
  memoryLogger,
  memoryTransport,
  noopLogger,
} from '../../src/testing/index';
import * as testing from '../../src/testing/index';

describe('rxmini/testing', () => {
  it('exports exactly its public names (a change here is an API change)', () => {
    expect(Object.keys(testing).sort()).toEqual([
      'createTestScheduler',
      'memoryBroker',
      'memoryLogger',
      'memoryTransport',
      'noopLogger',
      'testDelivery',
    ]);
  });

  it('createTestScheduler runs marbles in virtual time with the given assertion', () => {
    const seen: [unknown, unknown][] = [];
    const scheduler = createTestScheduler((actual, expected) => seen.push([actual, expected]));
    scheduler.run(({ expectObservable }) => {
      expectObservable(of('a').pipe(delay(5))).toBe('-----(a|)');
    });
    expect(seen.length).toBe(1);
    expect(seen[0]?.[0]).toEqual(seen[0]?.[1]);
  });

  it('createTestScheduler reports a mismatch through the assertion', () => {
    const seen: [unknown, unknown][] = [];
    const scheduler = createTestScheduler((actual, expected) => seen.push([actual, expected]));
    scheduler.run(({ expectObservable }) => {
      expectObservable(of('a')).toBe('-a|');
    });
    expect(seen[0]?.[0]).not.toEqual(seen[0]?.[1]);
  });

  it('exposes loggers that record or discard', () => {
    const log = memoryLogger();
    log.info('hello', { n: 1 });
    expect(log.records.length).toBe(1);
    expect(() => noopLogger.info('ignored')).not.toThrow();
  });

  it('marble-tests a whole request/response flow on the memory transport in virtual time', () => {
    const scheduler = createTestScheduler((actual, expected) => expect(actual).toEqual(expected));
    scheduler.run(({ expectObservable }) => {
      const broker = memoryBroker({ scheduler });
      const common = { broker, scheduler, requestTimeoutMs: 50 };
      const client = memoryTransport({ ...common, nodeId: 'client' });
      const service = memoryTransport({ ...common, nodeId: 'service', service: 'auth' });
      service
        .subscribeTopic('auth.login')
        .pipe(handleDeliveries((d) => void service.respond(d.message, { token: 'jwt' })))
        .subscribe();
      // answered at once; an action nobody serves times out after exactly 50 virtual ms
      expectObservable(client.request('auth.login', { email: 'a@b.c' }).pipe(delay(0))).toBe('(r|)', {
        r: jasmine.objectContaining({ type: 'response', body: { result: { token: 'jwt' } } }),
      });
      expectObservable(client.request('auth.nobody', {})).toBe('50ms #', undefined, jasmine.any(Error));
    });
  });
});
