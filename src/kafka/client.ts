import kafkajs from './kafkajs.js';
import type { Kafka, KafkaConfig, Producer, SASLOptions, logLevel as LogLevelT } from 'kafkajs';
import type { Config } from '../config/schema.js';
import { tlsOptions } from '../config/tls.js';
import type { Logger } from '../log.js';

const { Kafka: KafkaCtor, logLevel, Partitioners } = kafkajs;

function toPino(level: LogLevelT): 'error' | 'warn' | 'info' | 'debug' {
  switch (level) {
    case logLevel.ERROR:
    case logLevel.NOTHING:
      return 'error';
    case logLevel.WARN:
      return 'warn';
    case logLevel.INFO:
      return 'info';
    default:
      return 'debug';
  }
}

/** Brokers, client id, TLS and SASL from the config: what every Kafka client of ours connects with. */
export function kafkaConnection(config: Config): Pick<KafkaConfig, 'clientId' | 'brokers' | 'ssl' | 'sasl'> {
  const k = config.kafka;
  const ssl = tlsOptions(k.tls, 'kafka.tls');
  // a new object per client: kafkajs caches its authenticator (with the password) on the object it is given
  const sasl = k.sasl ? ({ mechanism: k.sasl.mechanism, username: k.sasl.username, password: k.sasl.password } as SASLOptions) : undefined;
  return { clientId: k.clientId, brokers: [...k.brokers], ssl, sasl };
}

/** One Kafka client per process, logging through pino. kafkajs' own ERROR lines for retried requests are logged at warn. */
export function createKafka(config: Config, log: Logger): Kafka {
  const klog = log.child({ component: 'kafkajs' });
  return new KafkaCtor({
    ...kafkaConnection(config),
    logLevel: logLevel.WARN,
    retry: { retries: 8, initialRetryTime: 200, maxRetryTime: 10_000 },
    logCreator:
      () =>
      ({ level, log: entry }) => {
        const { message, ...rest } = entry;
        const lvl = toPino(level);
        // the broker still writing the previous transaction's markers: retried at once, not worth a
        // warning (kafkajs puts the reason in `error` or in the message itself) unless it goes on
        const concurrent = `${typeof rest.error === 'string' ? rest.error : ''} ${message}`.includes('concurrent operation on the same transaction');
        // kafkajs warns whenever an idempotent producer's retries are bounded; the reader bounds its
        // transactional producer's and, after a failed send, aborts and replaces it (a new epoch), so
        // nothing it sent twice can become visible
        const bounded = message.startsWith('Limiting retries for the idempotent producer');
        const routine = (concurrent && Number(rest.retryCount ?? 0) < 5) || bounded;
        klog[routine ? 'debug' : lvl === 'error' ? 'warn' : lvl]({ kafkajs: rest }, message);
      },
  });
}

/**
 * Every record we write names its partition (partitionFor), so the partitioner is never consulted;
 * naming one silences kafkajs' warning about its v2 default.
 */
const EXPLICIT_PARTITIONS = { createPartitioner: Partitioners.DefaultPartitioner };

/** An idempotent producer for plain (non-transactional) writes. */
export function idempotentProducer(kafka: Kafka): Producer {
  return kafka.producer({ ...EXPLICIT_PARTITIONS, idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
}

/**
 * A transactional, idempotent producer. A transaction begun right after the previous commit gets
 * CONCURRENT_TRANSACTIONS from the broker until its markers are written (a few ms); kafkajs retries it
 * with the producer's backoff, so that starts at 10 ms instead of the client's 200 ms.
 * `retries` bounds how often one send or commit is retried (default: without end).
 */
export function transactionalProducer(kafka: Kafka, transactionalId: string, o: { retries?: number; maxRetryTime?: number } = {}): Producer {
  return kafka.producer({
    ...EXPLICIT_PARTITIONS,
    transactionalId,
    idempotent: true,
    maxInFlightRequests: 1,
    transactionTimeout: 60_000,
    allowAutoTopicCreation: false,
    retry: { retries: o.retries ?? Number.MAX_SAFE_INTEGER, initialRetryTime: 10, maxRetryTime: o.maxRetryTime ?? 10_000 },
  });
}
