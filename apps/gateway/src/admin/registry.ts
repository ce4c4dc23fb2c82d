import type { AdminOperation } from './admin-operation.js';
import { adminOperations } from './admin-operations.js';

/** Every admin operation this endpoint serves, by X-Amz-Target operation name (`SymbolonAdmin.<name>`). */
export const AdminOperations: Readonly<Record<string, AdminOperation>> = {
  ...adminOperations,
};
