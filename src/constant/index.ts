/**
 * Constants shared by every rxmini module: message types, body and header keys, status codes,
 * health levels and size limits.
 *
 * @packageDocumentation
 */
export { BodyKey } from './bodyKey.js';
export { HeaderKey } from './headerKey.js';
export {
  DEFAULT_MAX_MESSAGE_BYTES,
  DEFAULT_MAX_MSG_TIMEOUT_MS,
  DEFAULT_MSG_TIMEOUT_MS,
  MAX_AUTO_TOUCH_MS,
  MAX_DEFER_MS,
  MAX_FILE_CHUNK_SIZE,
  MAX_JSON_DEPTH,
  MAX_REQUEUE_DELAY_MS,
  MAX_TTL_MS,
} from './limits.js';
export { MessageType, isMessageType } from './messageType.js';
export { HealthStatus, HealthStatusName, StatusCode, isHealthStatus } from './status.js';
