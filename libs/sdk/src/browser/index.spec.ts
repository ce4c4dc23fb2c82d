import { jest } from '@jest/globals';

import { SdkError } from '../core/errors.js';
import { loadCustomerKey, makeCustomerKey, requestPersistentStorage } from './index.js';

// The IndexedDB paths themselves run in Chromium (e2e/browser.e2e-spec.ts); Node has no IndexedDB.
describe('browser binding', () => {
  it('IndexedDB is available', async () => {
    expect(typeof indexedDB).toBe('undefined');
    await expect(loadCustomerKey('mine')).rejects.toEqual(new SdkError('CONFIG', 'IndexedDB is available'));
    await expect(makeCustomerKey('mine')).rejects.toMatchObject({ message: 'IndexedDB is available' });
  });

  it('a key name is not empty', async () => {
    await expect(makeCustomerKey('')).rejects.toMatchObject({
      code: 'CONFIG',
      message: 'a key name is not empty',
    });
  });
});

describe('requestPersistentStorage', () => {
  const had = Object.getOwnPropertyDescriptor(globalThis, 'navigator');
  afterEach(() => {
    if (had) Object.defineProperty(globalThis, 'navigator', had);
    else delete (globalThis as { navigator?: unknown }).navigator;
  });
  const withStorage = (storage: object | undefined) =>
    Object.defineProperty(globalThis, 'navigator', {
      value: { storage },
      configurable: true,
      writable: true,
    });

  it('should answer what the browser grants when it asks once for persistent storage', async () => {
    const persist = jest.fn(async () => true);
    withStorage({ persist });
    expect(await requestPersistentStorage()).toBe(true);
    persist.mockResolvedValueOnce(false);
    expect(await requestPersistentStorage()).toBe(false);
    expect(persist).toHaveBeenCalledTimes(2);
  });

  it('should answer false and not throw when the request fails or the browser has no StorageManager', async () => {
    withStorage({ persist: async () => Promise.reject(new Error('denied')) });
    expect(await requestPersistentStorage()).toBe(false);
    withStorage({});
    expect(await requestPersistentStorage()).toBe(false);
    withStorage(undefined);
    expect(await requestPersistentStorage()).toBe(false);
  });
});
