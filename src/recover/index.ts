/**
 * Recovery from failures: {@link safe} and {@link safeAsync} run a function and
 * return an `Either` instead of letting a throw or a rejection escape; every
 * recovered failure is logged and handed to the global panic hooks
 * ({@link onPanic}, {@link panics$}). The stream operator lives in
 * `operators/recoverWithContext`.
 *
 * @example
 * ```ts
 * import { onPanic, safe } from 'rxmini';
 * const stop = onPanic((report) => log.error('panic', { label: report.label, cause: String(report.error.cause) }));
 * safe('job', () => JSON.parse('{ oops') as unknown); // left(PanicError), and the hook above ran
 * stop();
 * ```
 * @packageDocumentation
 */
export { onPanic, panics$, reportPanic, setRecoverLogger } from './panicHook.js';
export type { ReportPanicOptions } from './panicHook.js';
export { safe, safeAsync } from './safe.js';
export type { SafeOptions, SafeResult } from './safe.js';
export type { PanicContext, PanicHook, PanicReport } from './types.js';
