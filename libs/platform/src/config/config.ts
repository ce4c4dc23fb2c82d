import { bool, cleanEnv, num, port, str, url } from 'envalid';
import { readFileSync } from 'node:fs';

/** Settings every service shares; each app adds its own on top (see its config.ts). */
export const commonEnv = {
  SYMBOLON_NATS_URL: url({ default: 'nats://127.0.0.1:4222', desc: 'NATS server(s), comma-separated' }),
  SYMBOLON_LOG_LEVEL: str({ default: 'info', choices: ['fatal', 'error', 'warn', 'info', 'debug', 'trace'] }),
  SYMBOLON_METRICS_PORT: port({ default: 0, desc: 'HTTP port for /metrics and /health (0: any free port)' }),
  SYMBOLON_METRICS_HOST: str({
    default: '127.0.0.1',
    desc: 'address /metrics and /health listen on (0.0.0.0 in a container)',
  }),
  SYMBOLON_RPC_TIMEOUT_MS: num({ default: 2000, desc: 'deadline of one service-to-service request' }),
  SYMBOLON_REGION: str({ default: 'us-east-1' }),
};

export const databaseEnv = {
  SYMBOLON_DB_TYPE: str({ default: 'sqlite', choices: ['sqlite', 'postgres'] }),
  SYMBOLON_DB_PATH: str({ default: '', desc: 'SQLite file (sqlite only)' }),
  SYMBOLON_DB_URL: str({ default: '', desc: 'postgres://... (postgres only); secret' }),
  SYMBOLON_DB_MIGRATE: bool({ default: true, desc: 'run pending migrations at boot' }),
};

/** Validates the environment at boot; a bad value stops the process with a message naming the variable. */
export function loadConfig<S extends Parameters<typeof cleanEnv>[1]>(
  schema: S,
  env: NodeJS.ProcessEnv = process.env,
) {
  // A plain copy: envalid's proxy throws on unknown properties, which Nest's provider inspection reads.
  return {
    ...cleanEnv(withFileValues(env, Object.keys(schema as object)), schema, {
      reporter: ({ errors }) => {
        const problems = Object.entries(errors as Record<string, Error | undefined>);
        if (problems.length > 0) {
          throw new Error(
            `invalid configuration: ${problems.map(([n, e]) => `${n} (${e?.message})`).join(', ')}`,
          );
        }
      },
    }),
  };
}

/**
 * The container convention for secrets: `NAME_FILE=/run/secrets/x` gives NAME the file's content (trailing newline
 * removed), so a secret never has to sit in the environment. NAME itself, when set and not empty, wins.
 */
export function withFileValues(env: NodeJS.ProcessEnv, names: readonly string[]): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = { ...env };
  for (const name of names) {
    const file = env[`${name}_FILE`];
    if (file && !env[name]) {
      try {
        out[name] = readFileSync(file, 'utf8').replace(/\r?\n$/, '');
      } catch (e) {
        throw new Error(
          `invalid configuration: ${name}_FILE (${(e as NodeJS.ErrnoException).code ?? 'unreadable'})`,
        );
      }
    }
  }
  return out;
}
