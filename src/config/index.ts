/**
 * Configuration: a JSON file with `${VAR}` interpolation, `SRV_*` environment
 * fallbacks and defaults, validated by an io-ts schema. Node-only (reads files).
 *
 * @example
 * ```ts
 * import { loadConfig } from 'rxmini';
 * const cfg = loadConfig(); // file from SRV_CONFIG, else environment and defaults
 * cfg.mustString('service_name');
 * ```
 * @packageDocumentation
 */
export { loadConfig, loadConfigEither, type LoadConfigOptions, type ConfigLoadError } from './loadConfig.js';
export { configFromObject, type Config, type ConfigValues } from './config.js';
export { KnownConfig, configDefaults } from './schema.js';
export { interpolateEnv, type EnvVars } from './interpolateEnv.js';
export { redactSecrets, isSecretKey, REDACTED } from './redactSecrets.js';
