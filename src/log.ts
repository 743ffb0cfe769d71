import { pino, type Logger, type DestinationStream } from 'pino';

export type { Logger };

/** Keys whose values never reach a log line, wherever they sit in the object. */
export const SECRET_KEYS = ['password', 'apiKey', 'token', 'secret', 'key', 'authorization', 'sasl'];

const redactPaths = SECRET_KEYS.flatMap((k) => [k, `*.${k}`, `*.*.${k}`, `*.*.*.${k}`]);

export function createLogger(opts: { level?: string; name?: string } = {}, dest?: DestinationStream): Logger {
  return pino(
    {
      level: opts.level ?? 'info',
      name: opts.name ?? 'commerce-cdc',
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: redactPaths, censor: '[redacted]' },
      formatters: { level: (label) => ({ level: label }) },
    },
    dest ?? pino.destination({ dest: 2, sync: false }),
  );
}

/** Removes every known secret value from a string (error messages, URLs). */
export function scrubSecrets(text: string, secrets: Array<string | undefined>): string {
  let out = text;
  for (const s of secrets) if (s && s.length >= 3) out = out.split(s).join('[redacted]');
  return out.replace(/(\/\/[^:/@\s]+:)[^@\s]+@/g, '$1[redacted]@');
}
