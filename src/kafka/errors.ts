import type { Config } from '../config/schema.js';
import { isTlsHandshakeFailure } from '../config/tls.js';
import { CdcError, KafkaError } from '../errors.js';

// The one place that decides what a Kafka failure means (kafkaFailure), from kafkajs' own
// `retriable` flag, its protocol error `type` and the cause chain (models: kafkajs src/errors.js
// isRebalancing + src/retry, Debezium's ErrorHandler), and where kafkajs failures become catalogue
// errors: a broker that does not answer (refused, unknown host, timeout, retries exhausted on
// connection errors) is KAFKA_UNREACHABLE with the configured brokers; a certificate that does not
// verify is KAFKA_TLS_FAILED, refused SASL credentials KAFKA_AUTH_FAILED (neither is retried).

const CONNECTION_ERRORS = new Set([
  'KafkaJSConnectionError',
  'KafkaJSConnectionClosedError',
  'KafkaJSBrokerNotFound',
  'KafkaJSRequestTimeoutError',
  'KafkaJSSASLAuthenticationError',
  'KafkaJSLockTimeout',
]);
const CONNECTION_TEXT = /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|EHOSTUNREACH|Connection timeout|Closed connection|failed to connect|SSL|certificate/i;

/** What a Kafka failure means for the part that met it. */
export const KafkaFailure = {
  /** Try again (a new request, session or producer may succeed). */
  retriable: 'retriable',
  /** Another producer took over the transactional id: this one must not commit again. */
  fenced: 'fenced',
  /** The consumer group moved on (rebalance, lost membership): kafkajs rejoins by itself. */
  rebalancing: 'rebalancing',
  /** Retrying does not help. */
  fatal: 'fatal',
} as const;
export type KafkaFailure = (typeof KafkaFailure)[keyof typeof KafkaFailure];

const FENCED_TYPES = new Set(['PRODUCER_FENCED', 'INVALID_PRODUCER_EPOCH', 'TRANSACTION_COORDINATOR_FENCED']);
/** kafkajs' isRebalancing, plus a member the coordinator no longer knows. */
const REBALANCING_TYPES = new Set(['REBALANCE_IN_PROGRESS', 'NOT_COORDINATOR_FOR_GROUP', 'ILLEGAL_GENERATION', 'UNKNOWN_MEMBER_ID']);
/**
 * kafkajs marks these non-retriable for the request; they mean the producer's transaction state is
 * gone (aborted by the coordinator, or the id's mapping expired), so a fresh producer succeeds.
 */
const NEW_PRODUCER_TYPES = new Set(['INVALID_TXN_STATE', 'INVALID_PRODUCER_ID_MAPPING']);

/**
 * kafkajs marks these non-retriable, yet they mean only that a broker or coordinator did not answer in
 * time (its coordinator lookup gives up with KafkaJSGroupCoordinatorNotFound while a killed broker restarts).
 */
const AWAY_NAMES = new Set(['KafkaJSGroupCoordinatorNotFound', 'KafkaJSLockTimeout']);

const isKafkajs = (x: unknown): boolean => /^KafkaJS/.test(String((x as Error | undefined)?.name ?? ''));

/**
 * Classifies a failure by the first kafkajs error in its cause chain (a catalogue KAFKA_FENCED counts
 * as fenced); undefined when no Kafka failure is in it. Fenced and rebalancing are read from any link
 * (kafkajs wraps a protocol error in KafkaJSNumberOfRetriesExceeded and the like); retriable when
 * kafkajs' retries ran out or the root cause is retriable (as kafkajs' consumer decides to restart),
 * else retriable or fatal from the outermost kafkajs error's own `retriable` flag.
 */
export function kafkaFailure(e: unknown): KafkaFailure | undefined {
  const links = chain(e);
  for (const x of links) {
    if (x instanceof CdcError && x.code === 'KAFKA_FENCED') return KafkaFailure.fenced;
    if (!isKafkajs(x)) continue;
    const type = String((x as { type?: unknown }).type ?? '');
    if (FENCED_TYPES.has(type) || /fenced/i.test(String((x as Error).message ?? ''))) return KafkaFailure.fenced;
    if (REBALANCING_TYPES.has(type)) return KafkaFailure.rebalancing;
    if (NEW_PRODUCER_TYPES.has(type)) return KafkaFailure.retriable;
  }
  const outer = links.find(isKafkajs) as { retriable?: unknown } | undefined;
  if (!outer) return undefined;
  // kafkajs gives up on a broker that stays away longer than its retries (a restart after kill -9, a
  // partition) with KafkaJSNumberOfRetriesExceeded, which a retrier around it wraps once more as
  // KafkaJSNonRetriableError (src/retry/index.js): retriable false, the connection error as cause.
  // Its consumer restarts on exactly these (src/consumer/index.js onCrash); so do we: the broker may be back
  const root = links.at(-1) as { retriable?: unknown } | undefined;
  if (links.some((x) => AWAY_NAMES.has(String((x as Error | undefined)?.name)) || (x as Error | undefined)?.name === 'KafkaJSNumberOfRetriesExceeded') || (isKafkajs(root) && root?.retriable === true)) return KafkaFailure.retriable;
  return outer.retriable === false ? KafkaFailure.fatal : KafkaFailure.retriable;
}

function chain(e: unknown): unknown[] {
  const out: unknown[] = [];
  for (let cur = e, i = 0; cur && i < 10; i++) {
    out.push(cur);
    const c = cur as { originalError?: unknown; cause?: unknown };
    cur = c.originalError ?? c.cause;
  }
  return out;
}

/**
 * A connection-type kafkajs error as a catalogue error (KAFKA_AUTH_FAILED for refused SASL
 * credentials, KAFKA_TLS_FAILED for a broker certificate that does not verify, else
 * KAFKA_UNREACHABLE); anything else unchanged.
 */
export function kafkaError(e: unknown, config: Pick<Config, 'kafka'>): unknown {
  if (e instanceof CdcError) return e;
  const links = chain(e);
  const conn = links.find((x) => CONNECTION_ERRORS.has((x as Error)?.name) || CONNECTION_TEXT.test(String((x as Error)?.message ?? '')));
  if (!conn) return e;
  const brokers = config.kafka.brokers.join(',');
  const why = String((conn as Error).message).split('\n')[0];
  if (links.some((x) => (x as Error)?.name === 'KafkaJSSASLAuthenticationError')) {
    return new KafkaError('KAFKA_AUTH_FAILED', `the Kafka brokers ${brokers} refused the SASL login of '${config.kafka.sasl?.username ?? ''}': ${why}`, {
      fix: 'check kafka.sasl.mechanism, kafka.sasl.username and kafka.sasl.password (CDC_KAFKA_SASL_MECHANISM, CDC_KAFKA_SASL_USERNAME, CDC_KAFKA_SASL_PASSWORD) against the users of the broker',
      cause: e,
    });
  }
  if (links.some(isTlsHandshakeFailure)) {
    return new KafkaError('KAFKA_TLS_FAILED', `TLS handshake with the Kafka brokers ${brokers} failed: ${why}`, {
      fix: "point kafka.tls.ca (CDC_KAFKA_TLS_CA) at the CA that signed the broker's certificate, name the brokers by a host or IP that certificate holds, and use an SSL or SASL_SSL listener",
      cause: e,
    });
  }
  return new KafkaError('KAFKA_UNREACHABLE', `cannot reach the Kafka brokers ${brokers}: ${why}`, {
    fix: 'check kafka.brokers (CDC_KAFKA_BROKERS), kafka.tls and kafka.sasl (a TLS listener closes a plaintext connection), and that the brokers run',
    cause: e,
  });
}

/** Runs fn and maps its kafkajs connection failures (see kafkaError). */
export async function withKafkaErrors<T>(config: Pick<Config, 'kafka'>, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw kafkaError(e, config);
  }
}
