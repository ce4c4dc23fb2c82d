/**
 * Local SoftHSM2 tokens for development and tests.
 *
 * Plain Node (child_process only, no pkcs11js): writes a private `softhsm2.conf` and creates a token
 * with `softhsm2-util`. The process that later loads the PKCS#11 module must have `SOFTHSM2_CONF` in its
 * environment when it calls C_Initialize (set `process.env.SOFTHSM2_CONF = conf` before opening).
 * SoftHSM renumbers slots when a token is initialised: always find tokens by label.
 *
 * Development only: `softhsm2-util --init-token` takes the PINs as arguments, so for the moment it runs they are
 * visible to other local users in the process list. A production token is initialised by its own vendor tooling.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, unlinkSync, writeFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

import { needs } from './process.js';

const execFileAsync = promisify(execFile);

/** Debian's location of the SoftHSM2 PKCS#11 module. */
export const SOFTHSM2_MODULE = '/usr/lib/softhsm/libsofthsm2.so';

/** PKCS#11 token labels are a fixed 32-byte field. */
const MAX_LABEL_LENGTH = 32;

export interface SoftHsmTokenOptions {
  /** Folder that receives `softhsm2.conf` and the `tokens/` folder. */
  dir: string;
  label: string;
  pin: string;
  soPin: string;
}

export interface SoftHsmToken {
  /** Path of the written `softhsm2.conf`: put it in SOFTHSM2_CONF before C_Initialize. */
  conf: string;
  modulePath: string;
}

/** The PKCS#11 module to load: `SYMBOLON_PKCS11_MODULE` if set, else the SoftHSM2 default. */
export function findSoftHsmModule(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env['SYMBOLON_PKCS11_MODULE'];
  return fromEnv !== undefined && fromEnv !== '' ? fromEnv : SOFTHSM2_MODULE;
}

/** Labels of the initialised tokens visible through `conf`, trailing padding removed. */
export async function listSoftHsmTokenLabels(conf: string): Promise<string[]> {
  const { stdout } = await execFileAsync('softhsm2-util', ['--show-slots'], {
    env: { ...process.env, SOFTHSM2_CONF: conf },
  });
  const labels: string[] = [];
  let initialized = false;
  for (const raw of stdout.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('Initialized:')) initialized = line.endsWith('yes');
    const m = /^Label:(.*)$/.exec(line);
    if (m && initialized) labels.push((m[1] ?? '').trim());
  }
  return labels;
}

/**
 * Creates (once) a SoftHSM2 token labelled `label` in `<dir>/tokens`. Idempotent: if a token with that
 * label already exists there, nothing is changed (its PINs are not checked here).
 */
export async function initSoftHsmToken(opts: SoftHsmTokenOptions): Promise<SoftHsmToken> {
  /* Precondition: the token label must be 1 to 32 printable ASCII characters without surrounding spaces. */
  needs(
    opts.label.length >= 1 &&
      opts.label.length <= MAX_LABEL_LENGTH &&
      /^[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?$/.test(opts.label),
    'the token label must be 1 to 32 printable ASCII characters without surrounding spaces',
  );
  /* Precondition: the user PIN and the SO PIN must be 4 to 255 characters. */
  needs(
    opts.pin.length >= 4 && opts.pin.length <= 255 && opts.soPin.length >= 4 && opts.soPin.length <= 255,
    'the user PIN and the SO PIN must be 4 to 255 characters',
  );

  const dir = resolve(opts.dir);
  const tokenDir = join(dir, 'tokens');
  const conf = join(dir, 'softhsm2.conf');
  await mkdir(tokenDir, { recursive: true, mode: 0o700 });
  if (!existsSync(conf)) {
    await writeFile(
      conf,
      `# Written by initSoftHsmToken\ndirectories.tokendir = ${tokenDir}\nobjectstore.backend = file\nlog.level = ERROR\n`,
      { mode: 0o600 },
    );
  }

  const labels = await listSoftHsmTokenLabels(conf);
  if (!labels.includes(opts.label)) {
    try {
      await execFileAsync(
        'softhsm2-util',
        ['--init-token', '--free', '--label', opts.label, '--so-pin', opts.soPin, '--pin', opts.pin],
        { env: { ...process.env, SOFTHSM2_CONF: conf } },
      );
    } catch {
      // The command line holds the PINs: never echo it.
      throw new Error(`softhsm2-util could not initialise the token labelled '${opts.label}'`);
    }
  }
  return { conf, modulePath: findSoftHsmModule() };
}

/**
 * Points the SoftHSM2 module that this process loads next (at its next C_Initialize) at `conf`.
 * Returns a function that removes the per-process file (call it once the token is closed).
 *
 * Setting `process.env.SOFTHSM2_CONF` is enough in a plain Node process. Under Jest it is not: each
 * test file sees a copy of `process.env` that native code (getenv in libsofthsm2) never reads, and the
 * real variable can be set only once per worker process (`process.loadEnvFile` does not override).
 * So the real variable names a per-process file, and this function copies `conf` into it; SoftHSM2
 * reads the file again at every C_Initialize. A SOFTHSM2_CONF already set in the environment that
 * started the process wins under Jest: unset it before running the tests.
 */
export function activateSoftHsmConf(conf: string): () => void {
  const proxy = join(tmpdir(), `symbolon-softhsm2-${process.pid}.conf`);
  copyFileSync(conf, proxy);
  process.env['SOFTHSM2_CONF'] = proxy;
  const loadEnvFile = (process as { loadEnvFile?: (path: string) => void }).loadEnvFile;
  if (typeof loadEnvFile === 'function') {
    const envFile = `${proxy}.env`;
    writeFileSync(envFile, `SOFTHSM2_CONF=${proxy}\n`, { mode: 0o600 });
    try {
      loadEnvFile.call(process, envFile);
    } finally {
      unlinkSync(envFile);
    }
  }
  return () => {
    try {
      unlinkSync(proxy);
    } catch {
      // already gone
    }
  };
}
