import type { Operation } from './operation.js';
import { keyOperations } from './operations.js';

/** Every AWS KMS operation this endpoint serves, by X-Amz-Target operation name (`TrentService.<name>`). */
export const Operations: Readonly<Record<string, Operation>> = {
  ...keyOperations,
};
