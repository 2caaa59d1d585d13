import { pino, type Logger } from 'pino';
import pretty from 'pino-pretty';

export type { Logger };

// Keys that may carry secrets somewhere in a log object: password hashes, cracked passwords, private keys,
// SNMP communities, SFTP credentials. pino's redact paths are explicit, so the same names are listed at
// the depths where our objects put them.
const SECRET_KEYS = [
  'password',
  'passwordHash',
  'hash',
  'crackedPassword',
  'privateKey',
  'passphrase',
  'community',
  'credentials',
  'secret',
  'token',
  'apiKey',
  'authorization',
];
export const REDACT_PATHS = SECRET_KEYS.flatMap((k) => [k, `*.${k}`, `*.*.${k}`, `*[*].${k}`, `*.*[*].${k}`]).concat([
  'req.headers.authorization',
  'req.headers.cookie',
]);

export interface LogOptions {
  level: string;
  format: 'json' | 'pretty' | 'auto';
  /** Where JSON lines go; stderr by default so that `analyze` keeps stdout for the report. */
  destination?: NodeJS.WritableStream;
}

export function createLogger(opts: LogOptions): Logger {
  const dest = opts.destination ?? process.stderr;
  const isTty = 'isTTY' in dest && Boolean((dest as { isTTY?: boolean }).isTTY);
  const usePretty = opts.format === 'pretty' || (opts.format === 'auto' && isTty);
  const base = {
    level: opts.level,
    base: { service: 'firmwarden' },
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
  };
  if (usePretty) {
    // In-process pretty stream (no transport worker thread): small, synchronous, and fine on a terminal.
    return pino(base, pretty({ destination: dest, colorize: isTty, translateTime: 'SYS:HH:MM:ss', sync: true }));
  }
  return pino(base, dest as pino.DestinationStream);
}
