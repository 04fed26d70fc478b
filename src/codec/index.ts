/**
 * The rxmini message: its codec, constructors, typed accessors, validation and wire format.
 *
 * @packageDocumentation
 */
export {
  deleteBodyValue,
  getBodyValue,
  getBool,
  getBoolOr,
  getFloat,
  getFloatOr,
  getHeader,
  getInt,
  getIntOr,
  getString,
  getStringOr,
  setBody,
  setBodyValue,
  setHeader,
  setRawBody,
} from './accessors.js';
export type { Getter, GetterOr } from './accessors.js';
export { completeMessage, type PartialMessage } from './complete.js';
export { copy } from './copy.js';
export { GO_HEALTH_CHECK_TYPE, decodeGoMini, encodeGoMini, type GoMiniDecodeOptions } from './goMini.js';
export { toFieldIssues } from './issues.js';
export { type JsonArray, JsonObject, JsonValue, isJsonValue } from './json.js';
export { Message, newContextID, newMessage, newRequest, newResponse } from './message.js';
export { clearError, decodeResult, getError, getResult, hasError, setError, setResult } from './result.js';
export { PayloadDecodeError } from './payload.js';
export type { Payload, PayloadFormat, PayloadInput, PublishPayload, PublishValue } from './payload.js';
export { validateMessage } from './validate.js';
export { FRAME_MAGIC, decode, decodeJson, encode } from './wire.js';
