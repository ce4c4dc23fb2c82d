/**
 * The SDK for browsers: the core, plus customer keys that live in the browser's IndexedDB as non-extractable
 * WebCrypto keys. Such a key is generated once under a name and loaded afterwards; its bytes never reach JavaScript
 * (not even this module), so its 16-hex key id is random and stored beside it instead of derived from the bytes.
 */
import { encodeHex } from '@symbolon/formats';

import { CustomerKey, SdkError } from '../core/index.js';
import { needs } from '../core/errors.js';

export * from '../core/index.js';

/** The IndexedDB database and object store the keys live in (one record per name). */
export const KEY_DATABASE = 'symbolon-sdk';
const STORE = 'customer-keys';

/** What a name holds: the non-extractable key, its id, and when it was made. */
interface StoredKey {
  key: CryptoKey;
  keyId: string;
  created: string;
}

/** An IndexedDB request as a promise; `what` says what failed without any key material. */
function done<T>(request: IDBRequest<T>, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(new SdkError('CONFIG', `IndexedDB could not ${what}`));
  });
}

async function openDatabase(): Promise<IDBDatabase> {
  /* Precondition: IndexedDB is available (a browser page or worker, not a private mode that disables it). */
  needs(typeof indexedDB !== 'undefined', 'IndexedDB is available');
  const request = indexedDB.open(KEY_DATABASE, 1);
  request.onupgradeneeded = () => request.result.createObjectStore(STORE);
  return done(request, 'open the key database');
}

async function withStore<T>(
  mode: IDBTransactionMode,
  run: (store: IDBObjectStore) => Promise<T>,
): Promise<T> {
  const db = await openDatabase();
  try {
    const tx = db.transaction(STORE, mode);
    const committed = new Promise<void>((resolve, reject) => {
      tx.oncomplete = () => resolve();
      tx.onerror = tx.onabort = () => reject(new SdkError('CONFIG', 'IndexedDB could not store the key'));
    });
    const [result] = await Promise.all([run(tx.objectStore(STORE)), committed]);
    return result;
  } finally {
    db.close();
  }
}

function asCustomerKey(authorityId: string, stored: StoredKey): CustomerKey {
  return CustomerKey.fromCryptoKey(authorityId, stored.key, stored.keyId);
}

/** The key stored under `name`, as the authority `authorityId` (default the name); undefined when there is none. */
export async function loadCustomerKey(name: string, authorityId = name): Promise<CustomerKey | undefined> {
  const stored = await withStore('readonly', (s) => done<StoredKey | undefined>(s.get(name), 'read the key'));
  return stored ? asCustomerKey(authorityId, stored) : undefined;
}

/**
 * Asks the browser to keep this origin's storage (IndexedDB with the keys in it) persistent, so that it is not
 * cleared under storage pressure. Answers whether it is granted; false when the browser has no StorageManager or the
 * request fails. A user clearing the site's data still deletes it.
 */
export async function requestPersistentStorage(): Promise<boolean> {
  try {
    const storage = typeof navigator === 'undefined' ? undefined : navigator.storage;
    return (await storage?.persist?.()) === true;
  } catch {
    return false;
  }
}

/** Whether this origin's storage is already persistent, without asking for it; false when it cannot be told. */
async function storagePersisted(): Promise<boolean> {
  try {
    const storage = typeof navigator === 'undefined' ? undefined : navigator.storage;
    return (await storage?.persisted?.()) === true;
  } catch {
    return false;
  }
}

/**
 * The key stored under `name`, generated (AES-256-GCM, non-extractable, random key id) and stored the first time.
 * `created` says whether this call made it. Two tabs racing both get the one key that was stored first.
 *
 * The key lives only in this browser's IndexedDB and cannot be exported: clearing the site's data loses it, and every
 * envelope that needs it. When it creates the key, this asks once for persistent storage
 * (`navigator.storage.persist()`, a failure ignored); `persisted` says whether the storage is persistent (for a key
 * that was there already, as the browser reports it without asking).
 */
export async function makeCustomerKey(
  name: string,
  authorityId = name,
): Promise<{ key: CustomerKey; created: boolean; persisted: boolean }> {
  /* Precondition: a key name is not empty. */
  needs(name.length > 0, 'a key name is not empty');
  // Made before the transaction: an IndexedDB transaction commits as soon as it waits on anything else.
  const fresh: StoredKey = {
    key: await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']),
    keyId: encodeHex(crypto.getRandomValues(new Uint8Array(8))),
    created: new Date().toISOString(),
  };
  const { stored, created } = await withStore('readwrite', (s) => {
    return new Promise<{ stored: StoredKey; created: boolean }>((resolve, reject) => {
      const get = s.get(name);
      get.onerror = () => reject(new SdkError('CONFIG', 'IndexedDB could not read the key'));
      get.onsuccess = () => {
        const existing = get.result as StoredKey | undefined;
        if (existing) return resolve({ stored: existing, created: false });
        const add = s.add(fresh, name);
        add.onerror = () => reject(new SdkError('CONFIG', 'IndexedDB could not store the key'));
        add.onsuccess = () => resolve({ stored: fresh, created: true });
      };
    });
  });
  const persisted = created ? await requestPersistentStorage() : await storagePersisted();
  return { key: asCustomerKey(authorityId, stored), created, persisted };
}

/** Forgets the key stored under `name`: every envelope that needs it can no longer be decrypted. */
export async function deleteCustomerKey(name: string): Promise<void> {
  await withStore('readwrite', (s) => done(s.delete(name), 'delete the key'));
}
