// Which TLS failures are final (a coded error, not retried) and which are a server going away.
import { describe, expect, it } from 'vitest';
import { isTlsHandshakeFailure } from '../../src/config/tls.js';
import { isRetriable } from '../../src/errors.js';
import { kafkaError } from '../../src/kafka/errors.js';
import { mysqlError } from '../../src/mysql/pool.js';

const where = { host: '127.0.0.1', port: 3306, user: 'cdc', tls: { enabled: true } };
const kafkaConfig = { kafka: { brokers: ['127.0.0.1:9093'], sasl: { mechanism: 'scram-sha-512' as const, username: 'cdc', password: 'pw' } } } as never;
/** kafkajs' shape: a retries-exceeded error around the connection error that carries the socket's code. */
function kafkajsError(name: string, message: string, code?: string): Error {
  const inner = Object.assign(new Error(message), { name, code, retriable: true });
  return Object.assign(new Error(message), { name: 'KafkaJSNumberOfRetriesExceeded', retriable: false, cause: inner, originalError: inner });
}

describe('TLS failures', () => {
  it('a certificate that does not verify is final; a reset during the handshake is not', () => {
    expect(isTlsHandshakeFailure(Object.assign(new Error('x'), { code: 'SELF_SIGNED_CERT_IN_CHAIN' }))).toBe(true);
    expect(isTlsHandshakeFailure(Object.assign(new Error('x'), { code: 'ERR_SSL_WRONG_VERSION_NUMBER' }))).toBe(true);
    expect(isTlsHandshakeFailure(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }))).toBe(false);
  });

  it('mysql2: HANDSHAKE_SSL_ERROR is MYSQL_TLS_FAILED for a certificate, MYSQL_UNREACHABLE for a lost socket', () => {
    const cert = mysqlError(Object.assign(new Error('self-signed certificate in certificate chain'), { code: 'HANDSHAKE_SSL_ERROR' }), where);
    expect(cert.code).toBe('MYSQL_TLS_FAILED');
    expect(isRetriable(cert)).toBe(false);
    const lost = mysqlError(Object.assign(new Error('Client network socket disconnected before secure TLS connection was established'), { code: 'HANDSHAKE_SSL_ERROR' }), where);
    expect(lost.code).toBe('MYSQL_UNREACHABLE');
    expect(isRetriable(lost)).toBe(true);
    expect(mysqlError(Object.assign(new Error('Server does not support secure connection'), { code: 'HANDSHAKE_NO_SSL_SUPPORT' }), where).code).toBe('MYSQL_TLS_FAILED');
    // a query error that mentions a certificate table is not a handshake
    expect(mysqlError(Object.assign(new Error("Table 'm.certificate' doesn't exist"), { code: 'ER_NO_SUCH_TABLE', errno: 1146 }), where).code).toBe('MYSQL_QUERY_FAILED');
  });

  it('an access denial names mysql.tls.enabled only when TLS is off', () => {
    const denied = () => Object.assign(new Error('Access denied'), { code: 'ER_ACCESS_DENIED_ERROR', errno: 1045 });
    expect(mysqlError(denied(), { ...where, tls: { enabled: false } }).fix).toMatch(/mysql\.tls\.enabled/);
    expect(mysqlError(denied(), where).fix).not.toMatch(/mysql\.tls/);
  });

  it('kafkajs: SASL refusal is KAFKA_AUTH_FAILED, a certificate KAFKA_TLS_FAILED, a closed connection KAFKA_UNREACHABLE', () => {
    const auth = kafkaError(kafkajsError('KafkaJSSASLAuthenticationError', 'SASL SCRAM SHA512 authentication failed'), kafkaConfig) as { code: string; retriable: boolean; message: string };
    expect([auth.code, auth.retriable]).toEqual(['KAFKA_AUTH_FAILED', false]);
    expect(auth.message).not.toContain('pw');
    const tls = kafkaError(kafkajsError('KafkaJSConnectionError', 'Connection error: unable to verify the first certificate', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE'), kafkaConfig) as { code: string; retriable: boolean };
    expect([tls.code, tls.retriable]).toEqual(['KAFKA_TLS_FAILED', false]);
    const closed = kafkaError(kafkajsError('KafkaJSConnectionClosedError', 'Closed connection'), kafkaConfig) as { code: string; retriable: boolean };
    expect([closed.code, closed.retriable]).toEqual(['KAFKA_UNREACHABLE', true]);
  });
});
