// The one error catalogue. Every user-facing failure is a CdcError with a stable
// code, a one-line message and the fix. docs/errors.md lists every code; a unit
// test checks the two against each other. Add a code: one entry in ERROR_CODES,
// one section in docs/errors.md.

export const ERROR_CODES = {
  // configuration and CLI input
  CONFIG_INVALID: { exit: 2, retriable: false },
  CONFIG_FILE_UNREADABLE: { exit: 2, retriable: false },
  CONFIG_FILE_MALFORMED: { exit: 2, retriable: false },
  CLI_USAGE: { exit: 2, retriable: false },
  FEED_UNKNOWN: { exit: 2, retriable: false },
  CONNECTOR_MAPPING_INVALID: { exit: 2, retriable: false },
  // MySQL / MariaDB
  MYSQL_UNREACHABLE: { exit: 3, retriable: true },
  MYSQL_AUTH_FAILED: { exit: 3, retriable: false },
  MYSQL_TLS_FAILED: { exit: 3, retriable: false },
  MYSQL_QUERY_FAILED: { exit: 3, retriable: true },
  MYSQL_BINLOG_DISABLED: { exit: 3, retriable: false },
  MYSQL_BINLOG_FORMAT: { exit: 3, retriable: false },
  MYSQL_BINLOG_ROW_IMAGE: { exit: 3, retriable: false },
  MYSQL_GRANTS_MISSING: { exit: 3, retriable: false },
  MYSQL_SERVER_ID_CONFLICT: { exit: 3, retriable: false },
  MYSQL_POSITION_PURGED: { exit: 3, retriable: false },
  MYSQL_EDITION_UNKNOWN: { exit: 3, retriable: false },
  MYSQL_EDITION_MIXED: { exit: 3, retriable: false },
  // Kafka and the schema registry
  KAFKA_UNREACHABLE: { exit: 4, retriable: true },
  KAFKA_TLS_FAILED: { exit: 4, retriable: false },
  KAFKA_AUTH_FAILED: { exit: 4, retriable: false },
  KAFKA_TOPIC_MISMATCH: { exit: 4, retriable: false },
  KAFKA_FENCED: { exit: 4, retriable: false },
  // a warning, never an exit: kafkajs runs without the faster produce/fetch code
  KAFKAJS_FAST_PATH_INACTIVE: { exit: 4, retriable: false },
  REGISTRY_UNREACHABLE: { exit: 4, retriable: true },
  REGISTRY_INCOMPATIBLE_SCHEMA: { exit: 4, retriable: false },
  // the exporter's feed state store (exporter.stateDir)
  STATE_DIR_UNWRITABLE: { exit: 2, retriable: false },
  // a log code, never an exit: a partition's state store was rebuilt from the items and status topics
  STATE_REBUILT: { exit: 4, retriable: false },
  // a status and log code, never an exit: an item larger than the items topic takes got status 1
  ITEM_TOO_LARGE: { exit: 4, retriable: false },
  // a log code, never an exit: a change record larger than its topic takes was written with values cut short
  CHANGE_VALUE_TRUNCATED: { exit: 4, retriable: false },
  // seeding
  SEED_TARGET_NOT_EMPTY: { exit: 5, retriable: false },
  SEED_EDITION_MISMATCH: { exit: 5, retriable: false },
  STAGING_UPDATE_REFUSED: { exit: 5, retriable: false },
  // downstream delivery
  DOWNSTREAM_REJECTED: { exit: 6, retriable: false },
  DOWNSTREAM_UNAVAILABLE: { exit: 6, retriable: true },
  // internal
  INTERNAL: { exit: 70, retriable: false },
} as const satisfies Record<string, { exit: number; retriable: boolean }>;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface CdcErrorOptions {
  /** What the user does to fix it; printed after the message. */
  fix?: string;
  cause?: unknown;
  /** Structured context for logs (never secrets). */
  context?: Record<string, unknown>;
  /** Overrides the code's default. */
  retriable?: boolean;
}

export class CdcError extends Error {
  readonly code: ErrorCode;
  readonly fix: string | undefined;
  readonly retriable: boolean;
  readonly context: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, options: CdcErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CdcError';
    this.code = code;
    this.fix = options.fix;
    this.retriable = options.retriable ?? ERROR_CODES[code].retriable;
    this.context = options.context ?? {};
  }

  get exitCode(): number {
    return ERROR_CODES[this.code].exit;
  }

  /** The one line the CLI prints: `CODE: message. Fix: ...` */
  toLine(): string {
    const msg = this.message.replace(/\s+/g, ' ').trim();
    return this.fix ? `${this.code}: ${msg}. Fix: ${this.fix}` : `${this.code}: ${msg}`;
  }
}

export class ConfigError extends CdcError {}
export class MysqlError extends CdcError {}
export class KafkaError extends CdcError {}
export class RegistryError extends CdcError {}
export class DownstreamError extends CdcError {}

export function isCdcError(e: unknown): e is CdcError {
  return e instanceof CdcError;
}

/** True when the error (or anything in its cause chain) says a retry may succeed. */
export function isRetriable(e: unknown): boolean {
  for (let cur: unknown = e, depth = 0; cur && depth < 10; depth++) {
    if (cur instanceof CdcError) return cur.retriable;
    const r = (cur as { retriable?: unknown }).retriable;
    if (typeof r === 'boolean') return r;
    cur = (cur as { cause?: unknown }).cause;
  }
  return false;
}
