import { type DomainLayout, startPlatform } from './platform.js';

/**
 * `npm start`: runs the platform in the foreground until Ctrl-C. Interface: SYMBOLON_DATA_DIR, SYMBOLON_PORT,
 * SYMBOLON_S3_PORT (the S3 API; default a free port),
 * SYMBOLON_DB_URL (a postgres:// URL: PostgreSQL instead of the embedded SQLite files), SYMBOLON_HSM_TOKENS (the
 * tokens of the one domain, default 2), SYMBOLON_HSM_DOMAINS (several domains instead: a JSON list of
 * `{"name", "tokens", "labels"?}`, the first the default) and SYMBOLON_HSM_AUTO_JOIN (false: tokens after each
 * domain's first wait for the operators' add-member instead of the development operator's).
 */
async function main(): Promise<void> {
  const dataDir = process.env['SYMBOLON_DATA_DIR'] || './.symbolon';
  const port = Number(process.env['SYMBOLON_PORT'] || 8080);
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw new Error(`SYMBOLON_PORT must be a port number, not ${port}`);
  console.log(`starting Symbolon (data: ${dataDir}, port: ${port})`);
  const postgresUrl = process.env['SYMBOLON_DB_URL'] || undefined;
  const domainsJson = process.env['SYMBOLON_HSM_DOMAINS'];
  const autoJoin = process.env['SYMBOLON_HSM_AUTO_JOIN'] !== 'false';
  const s3Port = process.env['SYMBOLON_S3_PORT'] ? Number(process.env['SYMBOLON_S3_PORT']) : undefined;
  if (s3Port !== undefined && (!Number.isInteger(s3Port) || s3Port < 1 || s3Port > 65535))
    throw new Error(`SYMBOLON_S3_PORT must be a port number, not ${process.env['SYMBOLON_S3_PORT']}`);
  const platform = await startPlatform({
    dataDir,
    port,
    ...(s3Port !== undefined ? { s3Port } : {}),
    postgresUrl,
    ...(domainsJson
      ? { domains: parseDomains(domainsJson) }
      : { hsmTokens: Number(process.env['SYMBOLON_HSM_TOKENS'] || 2) }),
    autoJoin,
    log: (l) => console.log(l),
  });
  console.log(`endpoint: ${platform.endpoint}`);
  console.log(`s3 endpoint: ${platform.s3Endpoint}`);
  console.log(`credentials: ${platform.credentialsFile}`);
  console.log(`logs: ${platform.dataDir}/logs   (Ctrl-C stops everything)`);
  let stopping = false;
  const shutdown = (code: number) => {
    if (stopping) return;
    stopping = true;
    console.log('stopping...');
    void platform.stop().then(() => process.exit(code));
  };
  process.on('SIGINT', () => shutdown(0));
  process.on('SIGTERM', () => shutdown(0));
  void platform.exited.then(({ service, code }) => {
    console.error(
      `${service} exited (code ${code}); stopping the platform. See ${platform.dataDir}/logs/${service}.log`,
    );
    shutdown(1);
  });
}

/** SYMBOLON_HSM_DOMAINS: what the coordinator checks further (SYMBOLON_DOMAINS) is only shaped here. */
function parseDomains(text: string): DomainLayout[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error('SYMBOLON_HSM_DOMAINS is not JSON');
  }
  const ok =
    Array.isArray(parsed) &&
    parsed.every(
      (d: Partial<DomainLayout> | null) =>
        typeof d?.name === 'string' &&
        typeof d.tokens === 'number' &&
        (d.labels === undefined || (typeof d.labels === 'object' && d.labels !== null)),
    );
  if (!ok)
    throw new Error('SYMBOLON_HSM_DOMAINS must be a list of {"name": "...", "tokens": n, "labels"?: {...}}');
  return parsed as DomainLayout[];
}

main().catch((e: unknown) => {
  console.error(`failed to start: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
