import { TestScheduler } from 'rxjs/testing';

/** A TestScheduler whose assertions are jasmine deep-equality checks. */
export const testScheduler = (): TestScheduler =>
  new TestScheduler((actual, expected) => {
    expect(actual).toEqual(expected);
  });
