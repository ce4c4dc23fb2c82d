import { type ErrorCode, ErrorCodes, isErrorCode, isRetryable } from './error-codes.js';

/** What crosses NATS when a request fails. Only client errors carry details; never key material or plaintext. */
export interface ErrorEnvelope {
  code: ErrorCode;
  message: string;
  retryable: boolean;
  requestId?: string;
  details?: Record<string, string>;
}

export class KmsError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, string>,
  ) {
    super(message);
    this.name = 'KmsError';
  }

  get retryable(): boolean {
    return isRetryable(this.code);
  }

  toEnvelope(requestId?: string): ErrorEnvelope {
    return {
      code: this.code,
      message: this.message,
      retryable: this.retryable,
      ...(requestId ? { requestId } : {}),
      ...(this.details ? { details: this.details } : {}),
    };
  }

  static isEnvelope(value: unknown): value is ErrorEnvelope {
    if (typeof value !== 'object' || value === null) return false;
    const v = value as Record<string, unknown>;
    return isErrorCode(v['code']) && typeof v['message'] === 'string';
  }

  static fromEnvelope(envelope: ErrorEnvelope): KmsError {
    return new KmsError(envelope.code, envelope.message, envelope.details);
  }

  static validation(message: string): KmsError {
    return new KmsError(ErrorCodes.VALIDATION, message);
  }
}
