import type { PanicError } from '../errors.js';

/**
 * Structured facts about what was being processed when a failure happened
 * (a context id, a topic, a message id, …). It travels with the report and is
 * logged as fields, never formatted into a string.
 *
 * @example
 * ```ts
 * import type { PanicContext } from 'rxmini';
 * const context: PanicContext = { contextID: 'c-1', topic: 'orders' };
 * ```
 */
export type PanicContext = Readonly<Record<string, unknown>>;

/**
 * One recovered failure, as handed to every panic hook and emitted on `panics$`.
 *
 * @example
 * ```ts
 * import { onPanic, type PanicReport } from 'rxmini';
 * const stop = onPanic((report: PanicReport) => {
 *   alert(`${report.label} failed: ${report.error.message} (context ${String(report.context?.contextID)})`);
 * });
 * stop();
 * ```
 * @see {@link onPanic}
 */
export interface PanicReport {
  /** Where it happened: the label given to `safe`, `recoverWithContext`, … */
  readonly label: string;
  /** The thrown value, always wrapped in a `PanicError`; the original is its `cause`. */
  readonly error: PanicError;
  /** What was being processed, when the caller could tell. */
  readonly context?: PanicContext;
}

/**
 * A function called once for every {@link PanicReport}. What it throws is caught
 * and logged; it never reaches the code that failed, nor the other hooks.
 *
 * @example
 * ```ts
 * import { createMetrics, onPanic, type PanicHook } from 'rxmini';
 * const metrics = createMetrics();
 * const countPanics: PanicHook = (report) => metrics.inc(`panics.${report.label}`);
 * const stop = onPanic(countPanics);
 * ```
 * @see {@link onPanic}
 */
export type PanicHook = (report: PanicReport) => void;
