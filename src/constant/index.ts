/**
 * Constants shared by every rxmini module: message types, body and header keys, status codes,
 * health levels and size limits.
 *
 * @packageDocumentation
 */
export { BodyKey } from './bodyKey.js';
export { HeaderKey } from './headerKey.js';
export { MAX_FILE_CHUNK_SIZE, MAX_JSON_DEPTH } from './limits.js';
export { MessageType, isMessageType } from './messageType.js';
export { HealthStatus, HealthStatusName, StatusCode, isHealthStatus } from './status.js';
