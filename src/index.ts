/**
 * rxmini: modular, event-driven microservices on RxJS over NSQ. Every stream is
 * an Observable and every policy an operator.
 *
 * This barrel names every public export explicitly.
 *
 * @example
 * ```ts
 * import { createLogger, newRequest, encode, decode } from 'rxmini';
 * const log = createLogger('auth', 'debug');
 * const bytes = encode(newRequest('auth.login'));
 * log.info('encoded', { bytes: bytes.length, ok: decode(bytes)._tag === 'Right' });
 * ```
 * @packageDocumentation
 */

// errors
export {
  BadRequestError,
  ConfigError,
  DecodeError,
  EmptyMessageError,
  EmptyNodeListError,
  ErrorCode,
  InvalidLogLevelError,
  InvalidNameError,
  InvalidPathError,
  MissingHandlerError,
  MissingVariableError,
  NoNodesError,
  NoRegistryError,
  NotFoundError,
  PanicError,
  NotADeliveryError,
  PayloadTooLargeError,
  RetriesExhaustedError,
  RxMiniError,
  TimeoutError,
  TransportClosedError,
  ValidationError,
  isRxMiniError,
} from './errors.js';
export type { FieldIssue, RxMiniErrorOptions } from './errors.js';

// constant
export {
  BodyKey,
  HeaderKey,
  HealthStatus,
  HealthStatusName,
  MAX_FILE_CHUNK_SIZE,
  MAX_JSON_DEPTH,
  MessageType,
  StatusCode,
  isHealthStatus,
  isMessageType,
} from './constant/index.js';

// codec
export {
  FRAME_MAGIC,
  JsonObject,
  JsonValue,
  Message,
  clearError,
  copy,
  decode,
  decodeJson,
  decodeResult,
  deleteBodyValue,
  encode,
  getBodyValue,
  getBool,
  getBoolOr,
  getError,
  getFloat,
  getFloatOr,
  getHeader,
  getInt,
  getIntOr,
  getResult,
  getString,
  getStringOr,
  hasError,
  isJsonValue,
  newContextID,
  newMessage,
  newRequest,
  newResponse,
  setBody,
  setBodyValue,
  setError,
  setHeader,
  setRawBody,
  setResult,
  toFieldIssues,
  validateMessage,
} from './codec/index.js';
export type { Getter, GetterOr, JsonArray } from './codec/index.js';

// config
export {
  KnownConfig,
  REDACTED,
  configDefaults,
  configFromObject,
  interpolateEnv,
  isSecretKey,
  loadConfig,
  loadConfigEither,
  redactSecrets,
} from './config/index.js';
export type { Config, ConfigLoadError, ConfigValues, EnvVars, LoadConfigOptions } from './config/index.js';

// logger
export {
  CONTEXT_FIELD,
  LogLevel,
  createLogger,
  isLevelEnabled,
  isLogLevel,
  loggerFromSink,
  memoryLogger,
  noopLogger,
  parseLogLevel,
} from './logger/index.js';
export type {
  CreateLoggerOptions,
  ExtendedLogger,
  ILogger,
  LogDestination,
  LogFields,
  LogRecord,
  LogSink,
  LoggerFromSinkOptions,
  MemoryLogger,
  MemoryLoggerExtras,
  MemoryLoggerOptions,
} from './logger/index.js';

// recover
export { onPanic, panics$, reportPanic, safe, safeAsync, setRecoverLogger } from './recover/index.js';
export type {
  PanicContext,
  PanicHook,
  PanicReport,
  ReportPanicOptions,
  SafeOptions,
  SafeResult,
} from './recover/index.js';

// metrics
export {
  DEFAULT_LATENCY_BUCKETS,
  InvalidMetricNameError,
  InvalidMetricValueError,
  MetricKind,
  assertMetricName,
  createMetrics,
  normalizeMetricPrefix,
  sanitizeMetricName,
  toPrometheus,
} from './metrics/index.js';
export type {
  CreateMetricsOptions,
  HistogramBucket,
  HistogramSample,
  MetricSample,
  Metrics,
  MetricsRecorder,
  ScalarSample,
} from './metrics/index.js';

// context (conversation store)
export {
  ConversationCancelledError,
  ConversationEventType,
  ConversationLimitError,
  DEFAULT_CONVERSATION_TTL_MS,
  DEFAULT_MAX_CONVERSATIONS,
  DuplicateConversationError,
  createConversationStore,
} from './context/index.js';
export type {
  Conversation,
  ConversationEvent,
  ConversationInit,
  ConversationStats,
  ConversationStore,
  ConversationStoreOptions,
} from './context/index.js';

// operators
export {
  DEFAULT_DEDUPE_MAX,
  DEFAULT_DEDUPE_TTL_MS,
  MAX_TTL_MS,
  deadLetter,
  deadLetterFailHandler,
  dedupe,
  expireAfter,
  handleDeliveries,
  measureLatency,
  recoverWithContext,
  retryFailHandler,
  retryWithBackoff,
  route,
  validate,
  wrapHandlers,
} from './operators/index.js';
export type {
  DeadLetterOptions,
  DedupeOptions,
  ExpireAfterConfig,
  Expiry,
  HandleDeliveriesOptions,
  HandledDelivery,
  RetryWithBackoffOptions,
  RouteOptions,
  RouteTable,
  ProcessResult,
  RecoverWithContextBaseOptions,
  RecoverWithContextOptions,
  RecoverWithOperatorOptions,
  RecoverWithProcessOptions,
} from './operators/index.js';

// transport
export {
  DEAD_LETTER_SUFFIX,
  DEFAULT_DRAIN_TIMEOUT_MS,
  DEFAULT_MAX_PENDING_REQUESTS,
  DEFAULT_MSG_TIMEOUT_MS,
  DEFAULT_POLL_INTERVAL_MS,
  DEFAULT_REQUEST_TIMEOUT_MS,
  DEFAULT_RETRY_POLICY,
  DEFAULT_SERVICE,
  DRAIN_REQUEUE_DELAY_MS,
  MAX_AUTO_TOUCH_MS,
  MAX_NODE_ID_LENGTH,
  MAX_POLL_INTERVAL_MS,
  MAX_REQUEUE_DELAY_MS,
  REPLY_CHANNEL,
  ResponseError,
  TransportMetric,
  backoffDelay,
  asDelivery,
  checkRetryPolicy,
  completeRetryPolicy,
  composeHandler,
  createMiddlewareRegistry,
  createTransport,
  deadLetterOf,
  deadLetterReason,
  deadlineBudget,
  defaultDeadLetterTopic,
  handlerMiddleware,
  isDelivery,
  isErrorResponse,
  isPermanentError,
  isValidNodeId,
  matchTopicPattern,
  matchingEntries,
  matchingTopics,
  memoryTransport,
  newNodeId,
  operatorMiddleware,
  replyTopicOf,
  resolveRetryPolicy,
  responseTo,
  shouldRetry,
  statusOfError,
  undecodableDeadLetter,
} from './transport/index.js';
export type {
  Broker,
  BrokerConsumeOptions,
  BrokerDelivery,
  BrokerStatus,
  Counters,
  DeadLetterInfo,
  Delivery,
  DeliveryHandler,
  DeliveryState,
  FailHandler,
  FailOutcome,
  Failure,
  HandlerWrapper,
  MemoryTransportOptions,
  Middleware,
  MiddlewareRegistry,
  MiddlewareScope,
  PrefixFilter,
  RequestOptions,
  RetryPolicies,
  RetryPolicy,
  SubscribeBroadcastOptions,
  SubscribePrefixOptions,
  SubscribeTopicOptions,
  Transport,
  TransportOptions,
  TransportStatus,
} from './transport/index.js';
export {
  EPHEMERAL_SUFFIX,
  MAX_NAME_LENGTH,
  isEphemeral,
  isValidChannel,
  isValidName,
  isValidTopic,
  validateChannel,
  validateTopic,
} from './transport/names.js';

// memory broker (the embedded transport's engine)
export { MAX_DEFER_MS, QueueFullError, memoryBroker } from './transport/memory/index.js';
export type {
  BrokerQueue,
  MemoryBroker,
  MemoryBrokerOptions,
  MemoryBrokerStats,
  MemoryChannelStats,
  MemoryTopicStats,
} from './transport/memory/index.js';

// NSQ (Node only)
export {
  PublishFailedError,
  PublishQueueFullError,
  PublishTimeoutError,
  createNsqPublisher,
  consumeNsq,
  nsqBroker,
  nsqTransport,
} from './transport/nsq/index.js';
export type {
  NsqBrokerOptions,
  NsqConnectionOptions,
  NsqConnectionStatus,
  NsqConsumerOptions,
  NsqDelivery,
  NsqDeliveryState,
  NsqPublisher,
  NsqPublisherOptions,
  NsqPublisherStats,
  NsqTlsOptions,
  NsqTransportOptions,
} from './transport/nsq/index.js';
