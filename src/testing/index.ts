/**
 * rxmini's public test kit (`rxmini/testing`): helpers for marble-testing whole
 * flows in virtual time (a TestScheduler, and the memory broker and transport,
 * which take it as their `scheduler`), and loggers that record instead of
 * printing. Browser-safe.
 *
 * @example
 * ```ts
 * import { createTestScheduler, memoryLogger } from 'rxmini/testing';
 * const scheduler = createTestScheduler((actual, expected) => expect(actual).toEqual(expected));
 * scheduler.run(({ cold, expectObservable }) => {
 *   expectObservable(cold('a|')).toBe('a|');
 * });
 * const log = memoryLogger();
 * ```
 * @packageDocumentation
 */
import { TestScheduler } from 'rxjs/testing';

/** A deep-equality assertion from any test framework (`expect(a).toEqual(b)`). */
export type DeepEqualAssertion = (actual: unknown, expected: unknown) => void;

/**
 * A `TestScheduler` for marble specs of rxmini flows. Pass it (inside `run`) as
 * the `scheduler` option of any rxmini operator, store or transport, and timeouts,
 * TTLs, retries and polling all happen in virtual time.
 *
 * @example
 * ```ts
 * import { createTestScheduler } from 'rxmini/testing';
 * const scheduler = createTestScheduler((a, e) => expect(a).toEqual(e));
 * ```
 * @see https://rxjs.dev/guide/testing/marble-testing
 */
export const createTestScheduler = (assertDeepEqual: DeepEqualAssertion): TestScheduler =>
  new TestScheduler(assertDeepEqual);

export { testDelivery } from './testDelivery.js';
export type { TestAck, TestDelivery, TestDeliveryOptions } from './testDelivery.js';
export { memoryLogger } from '../logger/memoryLogger.js';
export type { MemoryLogger, MemoryLoggerOptions, LogRecord } from '../logger/memoryLogger.js';
export { noopLogger } from '../logger/noopLogger.js';
export { memoryBroker } from '../broker/memory/memoryBroker.js';
export type { MemoryBroker, MemoryBrokerOptions } from '../broker/memory/types.js';
export { memoryTransport } from '../transport/memoryTransport.js';
export type { MemoryTransportOptions } from '../transport/memoryTransport.js';
