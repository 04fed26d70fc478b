/**
 * Errors of a service's configuration and wiring.
 *
 * @packageDocumentation
 */
import { ErrorCode, RxMiniError, type RxMiniErrorOptions } from '../errors.js';

/**
 * A service was started without something it needs (`transport`, `name`, …):
 * `init()` names it instead of failing later with a `TypeError`. (The
 * original had this error but never raised it.)
 *
 * @example
 * ```ts
 * import { MissingDependencyError } from 'rxmini';
 * const error = new MissingDependencyError('transport');
 * error.message; // 'missing dependency: transport'
 * ```
 */
export class MissingDependencyError extends RxMiniError {
  readonly code = ErrorCode.MISSING_DEPENDENCY;
  constructor(
    /** What is missing or unusable. */
    readonly dependency: string,
    options?: RxMiniErrorOptions & { readonly detail?: string },
  ) {
    super(`missing dependency: ${dependency}${options?.detail ? ` (${options.detail})` : ''}`, options);
  }
}

/**
 * An action was registered under a name the service already serves: the
 * second registration is refused at once (remove the first to replace it).
 *
 * @example
 * ```ts
 * import { DuplicateActionError } from 'rxmini';
 * new DuplicateActionError('auth.login').message; // 'action auth.login is already registered'
 * ```
 */
export class DuplicateActionError extends RxMiniError {
  readonly code = ErrorCode.DUPLICATE;
  constructor(
    /** The action name. */
    readonly action: string,
    options?: RxMiniErrorOptions,
  ) {
    super(`action ${action} is already registered`, options);
  }
}
