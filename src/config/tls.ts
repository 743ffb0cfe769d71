import { readFileSync } from 'node:fs';
import { ConfigError } from '../errors.js';
import type { Config } from './schema.js';

type TlsSection = Config['mysql']['tls'];

/** The PEM texts and the verify flag: what mysql2's `ssl` and kafkajs' `ssl` both take. */
export interface TlsOptions {
  rejectUnauthorized: boolean;
  ca: string[] | undefined;
  cert: string | undefined;
  key: string | undefined;
}

/**
 * Node's TLS options of a config `tls` section (mysql.tls, kafka.tls), the PEM files read now;
 * undefined when TLS is off. `key` names the section in the error for a file that cannot be read.
 */
export function tlsOptions(tls: TlsSection, key: 'mysql.tls' | 'kafka.tls'): TlsOptions | undefined {
  if (!tls.enabled) return undefined;
  const pem = (field: 'ca' | 'cert' | 'key') => {
    const file = tls[field];
    if (!file) return undefined;
    try {
      return readFileSync(file, 'utf8');
    } catch (e) {
      throw new ConfigError('CONFIG_INVALID', `${key}.${field}: cannot read ${file} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, {
        fix: `point ${key}.${field} at a readable PEM file`,
      });
    }
  };
  const ca = pem('ca');
  return { rejectUnauthorized: tls.rejectUnauthorized, ca: ca ? [ca] : undefined, cert: pem('cert'), key: pem('key') };
}

/** Node's codes of a server certificate that does not verify against the CA (or host name) we trust. */
const CERT_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_SIGNATURE_FAILURE',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/**
 * True when the error is a TLS handshake that failed for good: the server's certificate does not
 * verify, or the two sides speak no common TLS (OpenSSL's ERR_SSL_* codes and "SSL routines" texts,
 * e.g. TLS to a plaintext port). Node's text is read too because mysql2 replaces the code of every
 * handshake error with its own HANDSHAKE_SSL_ERROR. A connection reset during a handshake is not
 * one: that is a server going away, and a retry may succeed.
 */
export function isTlsHandshakeFailure(e: unknown): boolean {
  const err = e as { code?: unknown; message?: unknown } | undefined;
  const code = String(err?.code ?? '');
  return CERT_CODES.has(code) || code.startsWith('ERR_SSL_') || /certificate|SSL routines/i.test(String(err?.message ?? ''));
}
