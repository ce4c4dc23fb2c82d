/**
 * True when a write failed on a unique or primary key constraint: SQLSTATE 23505 on PostgreSQL,
 * SQLITE_CONSTRAINT_UNIQUE / _PRIMARYKEY on SQLite (TypeORM's QueryFailedError keeps the driver's error).
 */
export function isUniqueViolation(e: unknown): boolean {
  if (typeof e !== 'object' || e === null) return false;
  const driver = (e as { driverError?: unknown }).driverError;
  const codes = [(e as { code?: unknown }).code, (driver as { code?: unknown } | undefined)?.code];
  return codes.some(
    (c) => c === '23505' || c === 'SQLITE_CONSTRAINT_UNIQUE' || c === 'SQLITE_CONSTRAINT_PRIMARYKEY',
  );
}
