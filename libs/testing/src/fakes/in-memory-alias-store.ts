/**
 * In-memory stand-in for the coordinator's AliasRepository (create, find, retarget, delete, list). Generic over the
 * row type so that this library does not import an app; wrap it with `asFake<AliasRepository>(store)` in a spec.
 * Like the real table, (tenantId, aliasName) is unique: a second create is ALREADY_EXISTS.
 */
import { ErrorCodes, KmsError } from '@symbolon/contracts';

export interface StoreAlias {
  tenantId: string;
  aliasName: string;
  targetKeyId: string;
  createdAt: Date;
  updatedAt: Date;
}

export class InMemoryAliasStore<A extends StoreAlias = StoreAlias> {
  private readonly rows = new Map<string, A>();
  /** How many times find() reached the store: lets specs see what the resolver's alias cache saved. */
  finds = 0;

  async create(alias: A): Promise<void> {
    const id = rowId(alias.tenantId, alias.aliasName);
    if (this.rows.has(id)) throw new KmsError(ErrorCodes.ALREADY_EXISTS, 'alias exists');
    this.rows.set(id, structuredClone(alias));
  }

  async find(tenantId: string, aliasName: string): Promise<A | null> {
    this.finds++;
    const row = this.rows.get(rowId(tenantId, aliasName));
    return row ? structuredClone(row) : null;
  }

  async retarget(tenantId: string, aliasName: string, targetKeyId: string, now: Date): Promise<boolean> {
    const row = this.rows.get(rowId(tenantId, aliasName));
    if (!row) return false;
    this.rows.set(rowId(tenantId, aliasName), { ...row, targetKeyId, updatedAt: now });
    return true;
  }

  async delete(tenantId: string, aliasName: string): Promise<boolean> {
    return this.rows.delete(rowId(tenantId, aliasName));
  }

  async list(
    tenantId: string,
    limit: number,
    opts: { afterName?: string; targetKeyId?: string } = {},
  ): Promise<A[]> {
    return [...this.rows.values()]
      .filter(
        (a) =>
          a.tenantId === tenantId &&
          (opts.afterName === undefined || a.aliasName > opts.afterName) &&
          (opts.targetKeyId === undefined || a.targetKeyId === opts.targetKeyId),
      )
      .sort((a, b) => (a.aliasName < b.aliasName ? -1 : a.aliasName > b.aliasName ? 1 : 0))
      .slice(0, limit)
      .map((a) => structuredClone(a));
  }

  /** Test helper (not part of the repository): every row, for assertions. */
  all(): A[] {
    return [...this.rows.values()].map((a) => structuredClone(a));
  }
}

function rowId(tenantId: string, aliasName: string): string {
  return `${tenantId}\n${aliasName}`;
}
