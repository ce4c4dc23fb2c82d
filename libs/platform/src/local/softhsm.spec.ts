import { findSoftHsmModule, initSoftHsmToken, SOFTHSM2_MODULE } from './softhsm.js';

const base = { dir: '/nonexistent/never-created', pin: '123456', soPin: '654321' };

describe('initSoftHsmToken', () => {
  it('the token label must be 1 to 32 printable ASCII characters without surrounding spaces', async () => {
    const msg = 'the token label must be 1 to 32 printable ASCII characters without surrounding spaces';
    await expect(initSoftHsmToken({ ...base, label: '' })).rejects.toThrow(msg);
    await expect(initSoftHsmToken({ ...base, label: 'x'.repeat(33) })).rejects.toThrow(msg);
    await expect(initSoftHsmToken({ ...base, label: ' padded' })).rejects.toThrow(msg);
    await expect(initSoftHsmToken({ ...base, label: 'tökén' })).rejects.toThrow(msg);
  });

  it('the user PIN and the SO PIN must be 4 to 255 characters', async () => {
    const msg = 'the user PIN and the SO PIN must be 4 to 255 characters';
    await expect(initSoftHsmToken({ ...base, label: 'ok', pin: '123' })).rejects.toThrow(msg);
    await expect(initSoftHsmToken({ ...base, label: 'ok', soPin: 'x'.repeat(256) })).rejects.toThrow(msg);
  });
});

describe('findSoftHsmModule', () => {
  it('should return the SoftHSM2 default when SYMBOLON_PKCS11_MODULE is unset or empty', () => {
    expect(findSoftHsmModule({})).toBe(SOFTHSM2_MODULE);
    expect(findSoftHsmModule({ SYMBOLON_PKCS11_MODULE: '' })).toBe('/usr/lib/softhsm/libsofthsm2.so');
  });

  it('should return SYMBOLON_PKCS11_MODULE when it is set', () => {
    expect(findSoftHsmModule({ SYMBOLON_PKCS11_MODULE: '/opt/vendor/libpkcs11.so' })).toBe(
      '/opt/vendor/libpkcs11.so',
    );
  });
});
