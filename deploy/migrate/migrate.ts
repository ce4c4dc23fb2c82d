/**
 * The one-shot migration of a deployment on PostgreSQL (compose's `migrate` service, the chart's hook Job): every
 * service's schema brought up to date, then exit 0. The services then run with SYMBOLON_DB_MIGRATE=false.
 *
 * The entities are imported only after SYMBOLON_DB_TYPE is set: their timestamp columns read it when they load.
 */
async function main(): Promise<void> {
  const { openDataSource, withFileValues } = await import('@symbolon/platform');
  // SYMBOLON_DB_URL, or SYMBOLON_DB_URL_FILE naming a file that holds it (a mounted secret).
  const url = withFileValues(process.env, ['SYMBOLON_DB_URL'])['SYMBOLON_DB_URL'];
  if (!url) throw new Error('SYMBOLON_DB_URL (postgres://...) is required');
  process.env['SYMBOLON_DB_TYPE'] = 'postgres';
  const gateway = await import('../../apps/gateway/src/app.module.js');
  const coordinator = await import('../../apps/coordinator/src/app.module.js');
  const policy = await import('../../apps/policy/src/app.module.js');
  const audit = await import('../../apps/audit/src/app.module.js');
  const storage = await import('../../apps/storage/src/app.module.js');
  const storageObjects = await import('../../apps/storage/src/objects/storage.entities.js');
  const schemas = [
    { schema: 'gateway', entities: gateway.gatewayEntities, migrations: gateway.gatewayMigrations },
    {
      schema: 'coordinator',
      entities: coordinator.coordinatorEntities,
      migrations: coordinator.coordinatorMigrations,
    },
    { schema: 'policy', entities: policy.policyEntities, migrations: policy.policyMigrations },
    { schema: 'audit', entities: audit.auditEntities, migrations: audit.auditMigrations },
    { schema: 'storage', entities: storageObjects.storageEntities, migrations: storage.storageMigrations },
  ];
  for (const s of schemas) {
    const ds = await openDataSource(
      { type: 'postgres', url, schema: s.schema, migrate: true },
      s.entities,
      s.migrations,
    );
    await ds.destroy();
    console.log(`schema ${s.schema}: up to date`);
  }
}

main().catch((e: unknown) => {
  console.error(`migration failed: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
