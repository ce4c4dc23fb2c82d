import { aliasOperations } from './alias-operations.js';
import { keyAdminOperations } from './key-admin-operations.js';
import { lifecycleOperations } from './lifecycle-operations.js';
import type { Operation } from './operation.js';
import { keyOperations } from './operations.js';
import { policyOperations } from './policy-operations.js';

/** Every AWS KMS operation this endpoint serves, by X-Amz-Target operation name (`TrentService.<name>`). */
export const Operations: Readonly<Record<string, Operation>> = {
  ...keyOperations,
  ...lifecycleOperations,
  ...aliasOperations,
  ...keyAdminOperations,
  ...policyOperations,
};
