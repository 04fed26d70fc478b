/**
 * Data-first and data-last in one function.
 *
 * @packageDocumentation
 */

/**
 * Makes `body(msg, ...rest)` callable both as `f(msg, ...rest)` and as `f(...rest)(msg)`, told
 * apart by argument count (`arity` is the data-first count). `Signature` is the overloaded
 * type the caller declares; it must describe `body` faithfully.
 */
export const dual = <Signature>(arity: number, body: (...args: never[]) => unknown): Signature => {
  const call = body as (...args: unknown[]) => unknown;
  const fn = (...args: unknown[]): unknown =>
    args.length >= arity ? call(...args) : (data: unknown) => call(data, ...args);
  return fn as Signature;
};
