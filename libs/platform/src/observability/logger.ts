import type { LoggerService } from '@nestjs/common';
import { pino } from 'pino';

/**
 * The one structured logger. Fields that could carry secrets or key material are censored wherever they appear;
 * callers still never pass plaintext or key bytes to it.
 */
export const REDACTED_FIELDS = [
  'plaintext',
  'Plaintext',
  'secretAccessKey',
  'SecretAccessKey',
  'secret',
  'pin',
  'soPin',
  'ekt',
  'sealed',
  'authorization',
  'password',
];

export const logger = pino({
  level: process.env['SYMBOLON_LOG_LEVEL'] ?? 'info',
  base: { service: process.env['SYMBOLON_SERVICE'] ?? 'symbolon' },
  redact: { paths: REDACTED_FIELDS.flatMap((f) => [f, `*.${f}`, `*.*.${f}`]), censor: '[redacted]' },
});

/** Nest's logger interface on top of pino. */
export class PinoNestLogger implements LoggerService {
  log(message: unknown, context?: string): void {
    logger.info({ context }, String(message));
  }
  error(message: unknown, trace?: string, context?: string): void {
    logger.error({ context, trace }, String(message));
  }
  warn(message: unknown, context?: string): void {
    logger.warn({ context }, String(message));
  }
  debug(message: unknown, context?: string): void {
    logger.debug({ context }, String(message));
  }
  verbose(message: unknown, context?: string): void {
    logger.trace({ context }, String(message));
  }
}
