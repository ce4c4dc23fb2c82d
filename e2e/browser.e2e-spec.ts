/**
 * The browser page served by the gateway at /app/ (web/README.md, issue 7), in Chromium against the running platform:
 * a file encrypted in the page with a non-extractable customer key from IndexedDB and a Symbolon KMS key, downloaded,
 * inspected with the Node SDK and decrypted back in the page; all-of (a disabled KMS key, another browser's key) with
 * the failing authority named; the key loaded again from IndexedDB after a reload. Needs `bash scripts/build.sh`.
 */
import { CreateKeyCommand, DisableKeyCommand, EnableKeyCommand } from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { inspectEnvelope } from '@symbolon/sdk/node';
import { REPO_ROOT, type TestPlatform, startTestPlatform } from '@symbolon/testing';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, type BrowserContext, type Page, chromium } from 'playwright-core';

jest.setTimeout(60_000);

const BUNDLE = join(REPO_ROOT, 'dist', 'web', 'app.js');
const FILE_NAME = 'random.bin';
const plaintext = randomBytes(200 * 1024);
const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

let platform: TestPlatform;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let keyArn: string;
/** Uncaught errors of the pages and Content-Security-Policy refusals (failed requests, such as a KMS refusal or a
 * favicon, are expected and left out). */
const pageErrors: string[] = [];

beforeAll(async () => {
  if (!existsSync(BUNDLE)) throw new Error('dist/web is missing: run `bash scripts/build.sh` first');
  [platform, browser] = await Promise.all([
    startTestPlatform(),
    chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu'],
    }),
  ]);
  keyArn = (await platform.kms().send(new CreateKeyCommand({ Description: 'browser e2e' }))).KeyMetadata!
    .Arn!;
  context = await browser.newContext({ acceptDownloads: true });
  page = await openPage(context);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await platform?.stop();
}, 120_000);

async function openPage(ctx: BrowserContext): Promise<Page> {
  const p = await ctx.newPage();
  p.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy|Refused to/i.test(m.text()))
      pageErrors.push(m.text());
  });
  p.on('pageerror', (e) => pageErrors.push(e.message));
  const res = await p.goto(`${platform.endpoint}/app/`);
  expect(res!.status()).toBe(200);
  expect(res!.headers()['content-security-policy']).toContain("script-src 'self'");
  await settled(p);
  return p;
}

/** The page's status once its current action is over. */
async function settled(p: Page): Promise<{ state: string; text: string; authority?: string }> {
  await p.waitForFunction(() => {
    const s = document.getElementById('status')?.dataset['state'];
    return s === 'done' || s === 'error';
  });
  return p.$eval('#status', (e) => ({
    state: e.dataset['state']!,
    text: e.textContent ?? '',
    ...(e.dataset['authority'] ? { authority: e.dataset['authority'] } : {}),
  }));
}

/** Fills the KMS form with the platform's credentials (the endpoint is the page's own origin by default). */
async function fillForm(p: Page): Promise<void> {
  expect(await p.inputValue('#endpoint')).toBe(platform.endpoint);
  await p.fill('#region', platform.credentials.region);
  await p.fill('#access-key-id', platform.credentials.accessKeyId);
  await p.fill('#secret-access-key', platform.credentials.secretAccessKey);
  // The key's id, not its ARN: the header records the ARN the KMS answers.
  await p.fill('#kms-key-id', keyArn.split('/').pop()!);
}

async function click(p: Page, selector: string) {
  await p.click(selector);
  return settled(p);
}

/** Clicks a download link and answers the file's name and bytes. */
async function download(p: Page, selector: string): Promise<{ name: string; bytes: Buffer }> {
  const [d] = await Promise.all([p.waitForEvent('download'), p.click(selector)]);
  return { name: d.suggestedFilename(), bytes: readFileSync((await d.path())!) };
}

async function decryptInPage(p: Page, envelope: Buffer) {
  await p.setInputFiles('#envelope-file', {
    name: `${FILE_NAME}.sym`,
    mimeType: 'application/octet-stream',
    buffer: envelope,
  });
  return click(p, '#decrypt');
}

describe('the browser bundle', () => {
  it('should import no node: module when dist/web/app.js is read', () => {
    const bundle = readFileSync(BUNDLE, 'utf8');
    expect(bundle.length).toBeGreaterThan(10_000);
    expect(bundle).not.toMatch(/(?:\bfrom|\bimport|\brequire)\s*\(?\s*["'`]node:/);
    expect(bundle).not.toMatch(/\brequire\(\s*["'`](?:fs|crypto|path|stream|os|child_process)["'`]\s*\)/);
  });
});

describe('the web page at /app/', () => {
  let envelope: Buffer;
  let customerKeyId: string;

  it('should serve only the page and its bundle beside /health and /metrics when the gateway is asked', async () => {
    const get = (path: string) => fetch(`${platform.endpoint}${path}`);
    const script = await get('/app/app.js');
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(await script.text()).toBe(readFileSync(BUNDLE, 'utf8'));
    for (const path of ['/app', '/app/index.html', '/app/app.js.map', '/web/app.js'])
      expect([path, (await get(path)).status]).toEqual([path, 404]);
    expect((await get('/health')).status).toBe(200);
    expect((await get('/metrics')).status).toBe(200);
  });

  it('should encrypt a file into an envelope of both authorities and decrypt it back when the key is made in the page', async () => {
    expect((await settled(page)).text).toContain('no key yet');
    await fillForm(page);
    const made = await click(page, '#make-key');
    expect(made.state).toBe('done');
    customerKeyId = await page.textContent('#key-id').then((t) => t!.trim());
    expect(customerKeyId).toMatch(/^[0-9a-f]{16}$/);

    await page.setInputFiles('#plain-file', {
      name: FILE_NAME,
      mimeType: 'application/octet-stream',
      buffer: plaintext,
    });
    expect(await click(page, '#encrypt')).toMatchObject({ state: 'done' });
    const sym = await download(page, '#envelope-link');
    envelope = sym.bytes;
    expect(sym.name).toBe(`${FILE_NAME}.sym`);
    expect(await page.textContent('#envelope-size')).toContain(`${envelope.length} bytes`);

    const { header, plaintextLength } = inspectEnvelope(envelope, envelope.length);
    expect(plaintextLength).toBe(plaintext.length);
    expect(header.authorities).toEqual([
      { id: 'customer', type: 'customer-key', keyId: customerKeyId },
      { id: 'symbolon', type: 'kms', keyArn, endpoint: platform.endpoint },
    ]);
    expect(header.context).toEqual({ app: 'symbolon-web' });

    expect(await decryptInPage(page, envelope)).toMatchObject({ state: 'done' });
    const back = await download(page, '#plain-link');
    expect(back.name).toBe(FILE_NAME);
    expect(sha256(back.bytes)).toBe(sha256(plaintext));
    expect(pageErrors).toEqual([]);
  });

  it('should keep the customer key non-extractable in IndexedDB when it was made', async () => {
    const stored = await page.evaluate(
      () =>
        new Promise<{ extractable: boolean; keyId: string; algorithm: string }>((resolve, reject) => {
          const open = indexedDB.open('symbolon-sdk');
          open.onerror = () => reject(new Error('no database'));
          open.onsuccess = () => {
            const get = open.result
              .transaction('customer-keys')
              .objectStore('customer-keys')
              .get('symbolon-web');
            get.onsuccess = () => {
              const r = get.result as { key: CryptoKey; keyId: string };
              resolve({ extractable: r.key.extractable, keyId: r.keyId, algorithm: r.key.algorithm.name });
              open.result.close();
            };
          };
        }),
    );
    expect(stored).toEqual({ extractable: false, keyId: customerKeyId, algorithm: 'AES-GCM' });
  });

  it('should name the KMS authority and not decrypt when the KMS key is disabled', async () => {
    await platform.kms().send(new DisableKeyCommand({ KeyId: keyArn }));
    const status = await decryptInPage(page, envelope);
    expect(status.state).toBe('error');
    expect(status.authority).toBe('symbolon');
    expect(status.text).toContain('"symbolon"');
    expect(status.text).not.toContain(platform.credentials.secretAccessKey);
  });

  it('should load the same key from IndexedDB after a reload and decrypt the earlier envelope when the KMS key is enabled again', async () => {
    await page.reload();
    const loaded = await settled(page);
    expect(loaded.text).toContain(`loaded your key ${customerKeyId}`);
    expect(await page.textContent('#key-id')).toBe(customerKeyId);
    // The secret access key lives in memory only: a reload forgets it.
    expect(await page.inputValue('#secret-access-key')).toBe('');
    await platform.kms().send(new EnableKeyCommand({ KeyId: keyArn }));
    await fillForm(page);
    expect(await decryptInPage(page, envelope)).toMatchObject({ state: 'done' });
    const back = await download(page, '#plain-link');
    expect(sha256(back.bytes)).toBe(sha256(plaintext));
  });

  it('should name the customer authority when another browser with its own key decrypts the envelope', async () => {
    const other = await browser.newContext({ acceptDownloads: true });
    try {
      const p = await openPage(other);
      await fillForm(p);
      await click(p, '#make-key');
      expect(await p.textContent('#key-id')).not.toBe(customerKeyId);
      const status = await decryptInPage(p, envelope);
      expect(status.state).toBe('error');
      expect(status.authority).toBe('customer');
    } finally {
      await other.close();
    }
    expect(pageErrors).toEqual([]);
  });
});
