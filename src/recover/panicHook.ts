import { Observable } from 'rxjs';
import { PanicError } from '../errors.js';
import type { ILogger } from '../logger/types.js';
import type { PanicContext, PanicHook, PanicReport } from './types.js';

/*
 * The hooks are process-global on purpose (the original's `OnPanic` is too): a
 * panic hook is how an application wires failures into its alerting once, for
 * every module. Unlike the original, hooks are a list, each registration can be
 * undone, and a throwing hook is contained.
 */

/** One registration; a wrapper object so the same function may be registered twice. */
interface Registration {
  readonly hook: PanicHook;
}

const registrations = new Set<Registration>();
let globalLogger: ILogger | undefined;
let dispatchDepth = 0;

/** Hooks that report from inside a hook may recurse; past this depth they are skipped. */
const MAX_DISPATCH_DEPTH = 8;

/**
 * Registers a global panic hook, called with every {@link PanicReport} from
 * `safe`, `safeAsync`, `recoverWithContext` and {@link reportPanic}. Several hooks
 * may be registered; each is called in registration order. A hook that throws is
 * logged (at warn) and otherwise ignored.
 *
 * @param hook - called synchronously, once per report.
 * @returns a function that removes this registration (idempotent).
 * @example
 * ```ts
 * import { onPanic } from 'rxmini';
 * const stop = onPanic(({ label, error }) => log.error(`panic in ${label}`, { cause: String(error.cause) }));
 * // … later, e.g. in a test's afterEach:
 * stop();
 * ```
 * @see {@link panics$}
 */
export const onPanic = (hook: PanicHook): (() => void) => {
  const registration: Registration = { hook };
  registrations.add(registration);
  return () => {
    registrations.delete(registration);
  };
};

/**
 * Sets the logger every recovered failure is logged to (at error level), unless
 * the call site passes its own. There is none by default, so nothing is logged
 * until one is set: library code never prints on its own.
 *
 * @param logger - the new logger, or `undefined` to stop logging.
 * @returns the logger that was set before, so it can be restored.
 * @example
 * ```ts
 * import { setRecoverLogger } from 'rxmini';
 * import { createLogger } from 'rxmini/node';
 * const previous = setRecoverLogger(createLogger('recover', 'warn'));
 * // … in a test: setRecoverLogger(previous);
 * ```
 */
export const setRecoverLogger = (logger: ILogger | undefined): ILogger | undefined => {
  const previous = globalLogger;
  globalLogger = logger;
  return previous;
};

/** Options of {@link reportPanic}. */
export interface ReportPanicOptions {
  /** What was being processed. */
  readonly context?: PanicContext;
  /** Logs this report instead of the logger set by {@link setRecoverLogger}. */
  readonly logger?: ILogger;
}

/**
 * Wraps `cause` in a {@link PanicError} (an existing `PanicError` is kept as it
 * is), logs it with its label and context, and hands the report to every hook.
 * Never throws. `safe` and `recoverWithContext` call it; call it yourself where
 * you catch a failure that should count as a panic.
 *
 * @param label - where it happened.
 * @param cause - what was thrown or rejected.
 * @returns the report that was dispatched.
 * @example
 * ```ts
 * import { newRequest, reportPanic } from 'rxmini';
 * const message = newRequest('orders.create');
 * try {
 *   await save(message.body);
 * } catch (e) {
 *   reportPanic('orders.save', e, { context: { contextID: message.contextID } });
 * }
 * ```
 */
export const reportPanic = (label: string, cause: unknown, options: ReportPanicOptions = {}): PanicReport => {
  const error = cause instanceof PanicError ? cause : new PanicError(label, cause);
  const report: PanicReport =
    options.context === undefined ? { label, error } : { label, error, context: options.context };
  const logger = options.logger ?? globalLogger;
  safeLog(logger, 'error', 'recovered from a failure', {
    label,
    error: error.message,
    cause: error.cause,
    stack: error.cause instanceof Error ? error.cause.stack : undefined,
    ...(report.context === undefined ? {} : { context: report.context }),
  });
  if (dispatchDepth >= MAX_DISPATCH_DEPTH) {
    safeLog(logger, 'warn', 'panic hooks skipped: reports nested too deep', { label });
    return report;
  }
  dispatchDepth += 1;
  try {
    // a snapshot, so a hook that (un)registers hooks does not disturb this dispatch
    for (const { hook } of [...registrations]) {
      try {
        hook(report);
      } catch (hookError) {
        safeLog(logger, 'warn', 'a panic hook threw', { label, hookError });
      }
    }
  } finally {
    dispatchDepth -= 1;
  }
  return report;
};

/** A logger that throws must not turn a recovered failure into an escaped one. */
const safeLog = (
  logger: ILogger | undefined,
  level: 'error' | 'warn',
  message: string,
  fields: Readonly<Record<string, unknown>>,
): void => {
  try {
    logger?.[level](message, fields);
  } catch {
    // nothing left to report it to
  }
};

/**
 * Every {@link PanicReport}, as a hot Observable: each subscription registers a
 * panic hook and its unsubscription removes it. It never completes. An observer
 * that throws is treated by RxJS like any other throwing observer
 * (`config.onUnhandledError`); it does not disturb the other hooks.
 *
 * @example
 * ```ts
 * import { panics$ } from 'rxmini';
 * import { bufferTime, filter } from 'rxjs';
 * panics$
 *   .pipe(
 *     bufferTime(60_000),
 *     filter((reports) => reports.length >= 10),
 *   )
 *   .subscribe((reports) => log.error('panic storm', { lastMinute: reports.length }));
 * ```
 * @see {@link onPanic}
 */
export const panics$: Observable<PanicReport> = new Observable<PanicReport>((subscriber) =>
  onPanic((report) => subscriber.next(report)),
);
