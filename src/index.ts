/**
 * rxmini: modular, event-driven microservices on RxJS over NSQ. Every stream is
 * an Observable and every policy an operator.
 *
 * This barrel names every public export explicitly. It is the isomorphic core:
 * nothing here imports from Node, so it bundles for a browser. Node-only parts
 * have their own entries: `rxmini/nsq` (the NSQ transport and connection layer)
 * and `rxmini/node` (config files, the pino logger).
 *
 * @example
 * ```ts
 * import { memoryLogger, newRequest, encode, decode } from 'rxmini';
 * const log = memoryLogger({ level: 'debug' });
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
  DiscoveryError,
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
  TopicListingError,
  TransportClosedError,
  ValidationError,
  isRxMiniError,
} from './errors.js';
export type { FieldIssue, NameKind, RxMiniErrorOptions } from './errors.js';

// constant
export {
  BodyKey,
  DEFAULT_MAX_MESSAGE_BYTES,
  DEFAULT_MAX_MSG_TIMEOUT_MS,
  DEFAULT_MSG_TIMEOUT_MS,
  HeaderKey,
  HealthStatus,
  HealthStatusName,
  MAX_AUTO_TOUCH_MS,
  MAX_DEFER_MS,
  MAX_FILE_CHUNK_SIZE,
  MAX_JSON_DEPTH,
  MAX_REQUEUE_DELAY_MS,
  MAX_TTL_MS,
  MessageType,
  StatusCode,
  isHealthStatus,
  isMessageType,
} from './constant/index.js';

// codec
export {
  FRAME_MAGIC,
  GO_HEALTH_CHECK_TYPE,
  JsonObject,
  JsonValue,
  Message,
  clearError,
  copy,
  decode,
  decodeGoMini,
  decodeJson,
  decodeResult,
  deleteBodyValue,
  encode,
  encodeGoMini,
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
  PayloadDecodeError,
  setBody,
  setBodyValue,
  setError,
  setHeader,
  setRawBody,
  setResult,
  toFieldIssues,
  validateMessage,
} from './codec/index.js';
export type {
  Getter,
  GetterOr,
  GoMiniDecodeOptions,
  JsonArray,
  PartialMessage,
  Payload,
  PayloadFormat,
  PayloadInput,
  PublishPayload,
  PublishValue,
} from './codec/index.js';

// config
export {
  KnownConfig,
  REDACTED,
  configDefaults,
  configFromObject,
  interpolateEnv,
  isSecretKey,
  redactSecrets,
} from './config/index.js';
export type { Config, ConfigValues, EnvVars } from './config/index.js';

// logger
export {
  CONTEXT_FIELD,
  LogLevel,
  isLevelEnabled,
  isLogLevel,
  loggerFromSink,
  memoryLogger,
  noopLogger,
  parseLogLevel,
} from './logger/index.js';
export type {
  ExtendedLogger,
  ILogger,
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
  assertLabels,
  assertMetricName,
  createMetrics,
  labelsText,
  normalizeMetricPrefix,
  sanitizeMetricName,
  toPrometheus,
} from './metrics/index.js';
export type {
  CreateMetricsOptions,
  HistogramBucket,
  HistogramSample,
  HistogramSeries,
  MetricLabels,
  MetricSample,
  Metrics,
  MetricsRecorder,
  CounterSeries,
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
  deadLetter,
  deadLetterFailHandler,
  decodePayload,
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
  CodecOf,
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
  Validate,
} from './operators/index.js';

// delivery (what the operators and the transport hand on)
export {
  DEAD_LETTER_SUFFIX,
  DEFAULT_RETRY_POLICY,
  asDelivery,
  backoffDelay,
  checkRetryPolicy,
  defaultDeadLetterTopic,
  isDelivery,
  isPermanentError,
} from './delivery/index.js';
export type {
  DeadLetterInfo,
  Delivery,
  DeliveryHandler,
  DeliveryState,
  FailHandler,
  FailOutcome,
  Failure,
  HandlerWrapper,
  RetryPolicy,
} from './delivery/index.js';

// transport
export {
  DEFAULT_DRAIN_TIMEOUT_MS,
  DEFAULT_MAX_IN_FLIGHT,
  DEFAULT_MAX_LIST_FAILURES,
  DEFAULT_MAX_PENDING_REQUESTS,
  DEFAULT_POLL_INTERVAL_MS,
  DEFAULT_REQUEST_TIMEOUT_MS,
  DEFAULT_SERVICE,
  DRAIN_REQUEUE_DELAY_MS,
  MAX_NODE_ID_LENGTH,
  MAX_POLL_INTERVAL_MS,
  REPLY_CHANNEL,
  ResponseError,
  TransportMetric,
  createTransport,
  handlerMiddleware,
  isErrorResponse,
  isValidNodeId,
  memoryTransport,
  operatorMiddleware,
  replyTopicOf,
} from './transport/index.js';
// streaming replies
export {
  DEFAULT_MAX_BUFFERED,
  DEFAULT_STREAM_WINDOW,
  MAX_STREAM_WINDOW,
  StreamHeader,
  StreamIdleError,
  StreamOverflowError,
  StreamProtocolError,
  streamTopicOf,
} from './transport/index.js';
export type {
  RequestStreamOptions,
  RespondStreamOptions,
  StreamEnd,
  StreamItem,
  StreamSource,
} from './transport/index.js';
export type {
  Broker,
  BrokerConsumeOptions,
  BrokerDelivery,
  BrokerPublishOptions,
  BrokerStatus,
  Counters,
  DiscoveryEvent,
  MemoryTransportOptions,
  Middleware,
  MiddlewareScope,
  PublishOptions,
  ReadyObservable,
  RequestOptions,
  RetryPolicies,
  SubscribeBroadcastOptions,
  SubscribePrefixOptions,
  SubscribeTopicOptions,
  Transport,
  TransportCompat,
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
} from './broker/names.js';

// memory broker (the embedded transport's engine)
export { QueueFullError, memoryBroker } from './broker/memory/index.js';
export type {
  BrokerQueue,
  MemoryBroker,
  MemoryBrokerOptions,
  MemoryBrokerStats,
  MemoryChannelStats,
  MemoryTopicStats,
} from './broker/memory/index.js';

// service
export {
  ActionDescription,
  DEFAULT_SERVICE_CONCURRENCY,
  DESCRIBE_SUFFIX,
  DuplicateActionError,
  FieldType,
  JSON_SCHEMA_DIALECT,
  MissingDependencyError,
  ServiceDescription,
  ServiceMetric,
  answerFailures,
  createClient,
  createService,
  defineAction,
  describeAction,
  fieldsCodec,
  fieldsJsonSchema,
  isActionDefinition,
  issuesOf,
  servicePipeline,
  toJsonSchema,
} from './service/index.js';
export type {
  ActionContext,
  ActionDefinition,
  ActionDefinitions,
  ActionHandler,
  ActionOptions,
  CallOptions,
  Client,
  ClientOptions,
  FieldRule,
  InputOf,
  OutputOf,
  InputSchemaField,
  JsonSchema,
  JsonSchemaType,
  Service,
  ServiceErrorInfo,
  ServiceHooks,
  ServiceOptions,
  ServicePipelineParts,
  ServiceState,
  SomeActionDefinition,
  StopOptions,
} from './service/index.js';

// file transfer (the disk writer and path/Readable sources are in rxmini/node)
export {
  CHUNK_ENVELOPE_BYTES,
  ChecksumMismatchError,
  ChunkTooLargeError,
  DEFAULT_FILE_MAX_IN_FLIGHT,
  DEFAULT_FILE_TIMEOUT_MS,
  DEFAULT_FILE_WINDOW,
  DEFAULT_MAX_CHUNKS,
  DEFAULT_MAX_CONCURRENT_FILES,
  DEFAULT_MAX_FILE_SIZE,
  FileFrameError,
  FileRejectedError,
  FileTooLargeError,
  MAX_FILE_ID_LENGTH,
  MAX_FILE_NAME_BYTES,
  MAX_LISTED_CHUNKS,
  TransferLimitError,
  checkFileName,
  decodeFileFrame,
  decodeFileReply,
  encodeFileFrame,
  encodeFileReply,
  fileHooks,
  fileReplyTopic,
  maxChunkSize,
  memoryWriter,
  newFileId,
  receiveFiles,
  sendFile,
  sha256,
  sha256Hex,
} from './file/index.js';
export type {
  FileChunk,
  FileDataFrame,
  FileEvent,
  FileHooks,
  FileInfo,
  FileManifest,
  FileProgress,
  FileReplyFrame,
  FileSink,
  FileSource,
  FileSourceReader,
  FileStart,
  FileWriter,
  Hasher,
  HasherFactory,
  MemoryWriter,
  ReceiveFilesOptions,
  SendFileOptions,
} from './file/index.js';
