import type { Config } from '../config/schema.js';
import { CdcError, KafkaError } from '../errors.js';

// The one place kafkajs failures become catalogue errors: a broker that does not
// answer (refused, unknown host, timeout, retries exhausted on connection
// errors) or refuses our TLS/SASL is KAFKA_UNREACHABLE with the configured brokers.

const CONNECTION_ERRORS = new Set([
  'KafkaJSConnectionError',
  'KafkaJSConnectionClosedError',
  'KafkaJSBrokerNotFound',
  'KafkaJSRequestTimeoutError',
  'KafkaJSSASLAuthenticationError',
  'KafkaJSLockTimeout',
]);
const CONNECTION_TEXT = /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|EHOSTUNREACH|Connection timeout|Closed connection|failed to connect|SSL|certificate/i;

function chain(e: unknown): unknown[] {
  const out: unknown[] = [];
  for (let cur = e, i = 0; cur && i < 10; i++) {
    out.push(cur);
    const c = cur as { originalError?: unknown; cause?: unknown };
    cur = c.originalError ?? c.cause;
  }
  return out;
}

/** A connection-type kafkajs error as KAFKA_UNREACHABLE; anything else unchanged. */
export function kafkaError(e: unknown, config: Pick<Config, 'kafka'>): unknown {
  if (e instanceof CdcError) return e;
  const links = chain(e);
  const conn = links.find((x) => CONNECTION_ERRORS.has((x as Error)?.name) || CONNECTION_TEXT.test(String((x as Error)?.message ?? '')));
  if (!conn) return e;
  const sasl = (conn as Error).name === 'KafkaJSSASLAuthenticationError';
  return new KafkaError(
    'KAFKA_UNREACHABLE',
    `cannot reach the Kafka brokers ${config.kafka.brokers.join(',')}: ${String((conn as Error).message).split('\n')[0]}`,
    {
      fix: sasl ? 'check kafka.sasl.mechanism, username and password' : 'check kafka.brokers (CDC_KAFKA_BROKERS), kafka.tls and kafka.sasl, and that the brokers run',
      cause: e,
      retriable: !sasl,
    },
  );
}

/** Runs fn and maps its kafkajs connection failures (see kafkaError). */
export async function withKafkaErrors<T>(config: Pick<Config, 'kafka'>, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw kafkaError(e, config);
  }
}
