/**
 * Configuration, the browser-safe part: `${VAR}` interpolation, defaults and the
 * io-ts schema over a plain object. Reading the JSON file (`loadConfig`) is
 * Node-only and lives in the `rxmini/node` entry (./loadConfig.ts).
 *
 * @example
 * ```ts
 * import { configFromObject } from 'rxmini';
 * const cfg = configFromObject({ service_name: 'auth' });
 * cfg.mustString('service_name');
 * ```
 * @packageDocumentation
 */
export { configFromObject, type Config, type ConfigValues } from './config.js';
export { KnownConfig, configDefaults } from './schema.js';
export { interpolateEnv, type EnvVars } from './interpolateEnv.js';
export { redactSecrets, isSecretKey, REDACTED } from './redactSecrets.js';
