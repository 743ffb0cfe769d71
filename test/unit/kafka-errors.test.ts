// The one Kafka failure classifier, fed kafkajs' own error objects: protocol errors carry the
// broker's `type` and kafkajs' `retriable`, wrappers carry the cause.
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { CdcError, KafkaError } from '../../src/errors.js';
import { KafkaFailure, kafkaFailure } from '../../src/kafka/errors.js';

const require = createRequire(import.meta.url);
// kafkajs' own classes and its protocol error table (what the broker's error codes become)
const errors = require('kafkajs/src/errors.js') as Record<string, new (...a: unknown[]) => Error>;
const { createErrorFromCode, errorCodes } = require('kafkajs/src/protocol/error.js') as {
  createErrorFromCode: (code: number) => Error;
  errorCodes: Array<{ type: string; code: number }>;
};
const protocol = (type: string) => new errors.KafkaJSProtocolError!(createErrorFromCode(errorCodes.find((e) => e.type === type)!.code));

describe('kafkaFailure', () => {
  it('fenced: another producer took over the transactional id', () => {
    expect(kafkaFailure(protocol('INVALID_PRODUCER_EPOCH'))).toBe(KafkaFailure.fenced);
    expect(kafkaFailure(protocol('TRANSACTION_COORDINATOR_FENCED'))).toBe(KafkaFailure.fenced);
    expect(kafkaFailure(new errors.KafkaJSNonRetriableError!('The producer has been fenced'))).toBe(KafkaFailure.fenced);
    expect(kafkaFailure(new KafkaError('KAFKA_FENCED', 'another reader took over'))).toBe(KafkaFailure.fenced);
  });

  it('reads the cause chain: a fenced error inside retries exhausted is fenced', () => {
    const wrapped = new errors.KafkaJSNumberOfRetriesExceeded!(protocol('INVALID_PRODUCER_EPOCH'), { retryCount: 5, retryTime: 100 });
    expect((wrapped as { retriable?: boolean }).retriable).toBe(false);
    expect(kafkaFailure(wrapped)).toBe(KafkaFailure.fenced);
    expect(kafkaFailure(new Error('commit failed', { cause: protocol('INVALID_PRODUCER_EPOCH') }))).toBe(KafkaFailure.fenced);
  });

  it('rebalancing: the group moved on (kafkajs rejoins by itself)', () => {
    for (const type of ['REBALANCE_IN_PROGRESS', 'NOT_COORDINATOR_FOR_GROUP', 'ILLEGAL_GENERATION', 'UNKNOWN_MEMBER_ID']) {
      expect(kafkaFailure(protocol(type)), type).toBe(KafkaFailure.rebalancing);
    }
  });

  it("retriable or fatal from kafkajs' own retriable flag", () => {
    expect(kafkaFailure(new errors.KafkaJSConnectionError!('Connection error: ECONNREFUSED', { broker: 'localhost:1' }))).toBe(KafkaFailure.retriable);
    expect(kafkaFailure(new errors.KafkaJSRequestTimeoutError!('Request Produce(key: 0, version: 7) timed out', {}))).toBe(KafkaFailure.retriable);
    expect(kafkaFailure(protocol('NOT_LEADER_FOR_PARTITION'))).toBe(KafkaFailure.retriable);
    expect(kafkaFailure(protocol('TOPIC_AUTHORIZATION_FAILED'))).toBe(KafkaFailure.fatal);
    expect(kafkaFailure(new errors.KafkaJSNonRetriableError!('broken'))).toBe(KafkaFailure.fatal);
  });

  it('retries that ran out on a broker that is away (restart, partition) are retriable, as kafkajs restarts its consumer on them', () => {
    const gone = new errors.KafkaJSConnectionError!('Connection error: connect ECONNREFUSED 127.0.0.1:9092', { broker: '127.0.0.1:9092' });
    const exhausted = new errors.KafkaJSNumberOfRetriesExceeded!(gone, { retryCount: 8, retryTime: 10_000 });
    expect(kafkaFailure(exhausted)).toBe(KafkaFailure.retriable);
    // an outer retrier wraps the exhausted one's error as non-retriable, keeping only the connection error as cause
    expect(kafkaFailure(new errors.KafkaJSNonRetriableError!(exhausted, { cause: gone }))).toBe(KafkaFailure.retriable);
    // the coordinator lookup gives up while a killed broker restarts
    expect(kafkaFailure(new errors.KafkaJSGroupCoordinatorNotFound!('Failed to find group coordinator'))).toBe(KafkaFailure.retriable);
    // a non-retriable root stays fatal
    expect(kafkaFailure(new errors.KafkaJSNonRetriableError!(protocol('TOPIC_AUTHORIZATION_FAILED'), { cause: protocol('TOPIC_AUTHORIZATION_FAILED') }))).toBe(KafkaFailure.fatal);
  });

  it('a lost transaction state is retriable with a new producer', () => {
    expect(kafkaFailure(protocol('INVALID_TXN_STATE'))).toBe(KafkaFailure.retriable);
    expect(kafkaFailure(protocol('INVALID_PRODUCER_ID_MAPPING'))).toBe(KafkaFailure.retriable);
  });

  it('is undefined for what is not a Kafka failure', () => {
    expect(kafkaFailure(new Error('ECONNRESET'))).toBeUndefined();
    expect(kafkaFailure(new CdcError('MYSQL_UNREACHABLE', 'down'))).toBeUndefined();
    expect(kafkaFailure(undefined)).toBeUndefined();
  });
});
