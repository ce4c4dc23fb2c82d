import { SdkError } from '../core/errors.js';
import { loadCustomerKey, makeCustomerKey } from './index.js';

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
