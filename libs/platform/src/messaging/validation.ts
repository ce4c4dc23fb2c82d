import { ValidationPipe } from '@nestjs/common';
import { KmsError } from '@symbolon/contracts';
import type { ValidationError } from 'class-validator';

/** The global RPC pipe: class-validator DTOs, failures as KmsError VALIDATION naming the fields. */
export function rpcValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    transform: true,
    whitelist: true,
    validateCustomDecorators: false,
    exceptionFactory: (errors: ValidationError[]) =>
      KmsError.validation(`invalid request: ${errors.map(describe).join('; ')}`),
  });
}

function describe(e: ValidationError): string {
  const own = Object.values(e.constraints ?? {});
  const children = (e.children ?? []).map(describe);
  return [...own, ...children].join(', ') || `${e.property} is invalid`;
}
