import type { Input } from '../kms/operations/input.js';
import type { OperationResult } from '../kms/operations/operation.js';
import type { TenancyService } from '../tenants/tenancy.service.js';

/** What a `SymbolonAdmin.` operation receives: the parsed body, the authenticated caller and the tenancy use cases. */
export interface AdminCall {
  input: Input;
  caller: { accountId: string; principalArn: string };
  tenancy: TenancyService;
}

export type AdminOperation = (call: AdminCall) => Promise<OperationResult>;
