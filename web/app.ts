/**
 * The page of web/index.html: encrypts a file in the browser with two authorities (a non-extractable customer key in
 * IndexedDB and a Symbolon KMS key), offers the envelope as a download, and decrypts an envelope back. The secret
 * access key is read from the form for each call and kept nowhere else.
 */
import { KMSClient } from '@aws-sdk/client-kms';
import {
  type CustomerKey,
  KmsKey,
  SdkError,
  decryptEnvelopeStream,
  encryptEnvelopeStream,
  loadCustomerKey,
  makeCustomerKey,
  schemes,
} from '@symbolon/sdk/browser';

/** Where the customer key lives in IndexedDB, and the ids the envelope's header gives both authorities. */
const KEY_NAME = 'symbolon-web';
const CUSTOMER = 'customer';
const KMS = 'symbolon';
const AUTHORITY_NAMES: Record<string, string> = {
  [CUSTOMER]: 'your key in this browser',
  [KMS]: 'the Symbolon KMS key',
};
/** Bound by both wraps and readable in the header: a key policy can require it (kms:EncryptionContext:app). */
const CONTEXT = { app: 'symbolon-web' };
/** What the page encrypts with, and all it decrypts: an envelope of another scheme or context is refused. */
const SCHEME = schemes.customerThenManaged(CUSTOMER, KMS);
/** Shown beside the key id once there is a key. */
const KEY_WARNING =
  "Your key lives only in this browser: it cannot be exported or backed up, and clearing this site's data (or " +
  'another browser, profile or device) loses it, and with it every file encrypted with it.';
const NOT_PERSISTED =
  ' The browser did not grant persistent storage: it may also clear the key by itself when space runs low.';

function element<T extends HTMLElement>(id: string, type: new () => T): T {
  const e = document.getElementById(id);
  if (!(e instanceof type)) throw new Error(`the page has no ${type.name} #${id}`);
  return e;
}

const field = (id: string): HTMLInputElement => element(id, HTMLInputElement);
const statusOut = element('status', HTMLOutputElement);
const keyIdOut = element('key-id', HTMLOutputElement);
/** The warning about the key, made here (index.html has no place for it) below the key id. */
const keyWarning = document.createElement('p');
keyWarning.id = 'key-warning';
keyWarning.setAttribute('role', 'note');
keyWarning.hidden = true;
keyIdOut.parentElement!.after(keyWarning);
const envelopeLink = element('envelope-link', HTMLAnchorElement);
const envelopeSize = element('envelope-size', HTMLOutputElement);
const plainLink = element('plain-link', HTMLAnchorElement);
const buttons = ['make-key', 'encrypt', 'decrypt'].map((id) => element(id, HTMLButtonElement));

let customerKey: CustomerKey | undefined;

function show(state: 'idle' | 'busy' | 'done' | 'error', text: string, authorityId?: string): void {
  statusOut.dataset['state'] = state;
  if (authorityId) statusOut.dataset['authority'] = authorityId;
  else delete statusOut.dataset['authority'];
  statusOut.value = text;
}

/** Runs one action with the buttons disabled; a failure names the authority that failed when there is one. */
async function action(name: string, run: () => Promise<string>): Promise<void> {
  buttons.forEach((b) => (b.disabled = true));
  show('busy', `${name}...`);
  try {
    show('done', await run());
  } catch (e) {
    if (e instanceof SdkError && e.authorityId) {
      const who = AUTHORITY_NAMES[e.authorityId] ?? 'an authority';
      show('error', `${name} failed at authority "${e.authorityId}" (${who}): ${e.message}`, e.authorityId);
    } else show('error', `${name} failed: ${e instanceof Error ? e.message : String(e)}`);
  } finally {
    buttons.forEach((b) => (b.disabled = false));
  }
}

/** The KMS authority from the form, with a client made for this call only. */
function kmsKey(): KmsKey {
  const endpoint = field('endpoint').value.trim();
  const keyId = field('kms-key-id').value.trim();
  const accessKeyId = field('access-key-id').value.trim();
  const secretAccessKey = field('secret-access-key').value;
  if (!endpoint || !keyId || !accessKeyId || !secretAccessKey) {
    throw new Error('fill in the endpoint, the credentials and the KMS key id');
  }
  const client = new KMSClient({
    endpoint,
    region: field('region').value.trim() || 'us-east-1',
    credentials: { accessKeyId, secretAccessKey },
    maxAttempts: 1,
  });
  return new KmsKey(KMS, client, keyId, endpoint);
}

function requireCustomerKey(): CustomerKey {
  if (!customerKey) throw new Error('make your key first ("Make my key")');
  return customerKey;
}

function chosenFile(id: string): File {
  const file = field(id).files?.[0];
  if (!file) throw new Error('choose a file first');
  return file;
}

/** Reads a stream to its end into a Blob; the stream's own error (an SdkError) is what a failure throws. */
async function collect(stream: ReadableStream<Uint8Array>): Promise<Blob> {
  const reader = stream.getReader();
  const parts: BlobPart[] = [];
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return new Blob(parts);
    parts.push(value as Uint8Array<ArrayBuffer>);
  }
}

function offer(link: HTMLAnchorElement, blob: Blob, name: string): void {
  if (link.href.startsWith('blob:')) URL.revokeObjectURL(link.href);
  link.href = URL.createObjectURL(blob);
  link.download = name;
  link.textContent = `Download ${name}`;
  link.hidden = false;
}

function showKey(key: CustomerKey | undefined, persisted?: boolean): void {
  customerKey = key;
  keyIdOut.value = key ? key.keyId : 'none yet';
  keyWarning.hidden = !key;
  keyWarning.textContent = key ? `${KEY_WARNING}${persisted === false ? NOT_PERSISTED : ''}` : '';
}

async function makeKey(): Promise<string> {
  const { key, created, persisted } = await makeCustomerKey(KEY_NAME, CUSTOMER);
  showKey(key, persisted);
  return created
    ? `made your key ${key.keyId}: it lives only in this browser (see the warning)`
    : `your key ${key.keyId} was already there`;
}

async function encrypt(): Promise<string> {
  const file = chosenFile('plain-file');
  const authorities = [requireCustomerKey(), kmsKey()];
  const pair = await encryptEnvelopeStream({
    scheme: SCHEME,
    authorities,
    context: CONTEXT,
  });
  const envelope = await collect(file.stream().pipeThrough(pair));
  offer(envelopeLink, envelope, `${file.name}.sym`);
  envelopeSize.value = `${envelope.size} bytes (the file: ${file.size} bytes)`;
  return `encrypted ${file.name}`;
}

async function decrypt(): Promise<string> {
  const file = chosenFile('envelope-file');
  const authorities = [requireCustomerKey(), kmsKey()];
  const plaintext = await collect(
    file
      .stream()
      .pipeThrough(decryptEnvelopeStream({ authorities, expect: { scheme: SCHEME, context: CONTEXT } })),
  );
  const name = file.name.endsWith('.sym') ? file.name.slice(0, -'.sym'.length) : `${file.name}.decrypted`;
  offer(plainLink, plaintext, name);
  return `decrypted ${file.name} (${plaintext.size} bytes)`;
}

field('endpoint').value = location.origin;
element('make-key', HTMLButtonElement).addEventListener(
  'click',
  () => void action('Making the key', makeKey),
);
element('encrypt', HTMLButtonElement).addEventListener('click', () => void action('Encryption', encrypt));
element('decrypt', HTMLButtonElement).addEventListener('click', () => void action('Decryption', decrypt));
void action('Loading your key', async () => {
  showKey(await loadCustomerKey(KEY_NAME, CUSTOMER));
  return customerKey ? `loaded your key ${customerKey.keyId}` : 'no key yet: "Make my key" makes one';
});
