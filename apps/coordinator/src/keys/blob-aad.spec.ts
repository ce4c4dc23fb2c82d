import { ErrorCodes, KmsError, fromBase64 } from '@symbolon/contracts';
import { ciphertextBlobAad, ciphertextBlobHeader } from '@symbolon/formats';

import { blobAad } from './blob-aad.js';

const header = ciphertextBlobHeader('6f1c2a48-8f0e-4f59-9d4c-0e8b5a0d6a11', 1);

describe('blobAad', () => {
  it('should give the base64 of header and canonical context when the context is valid', () => {
    expect(fromBase64(blobAad(header, { b: '2', a: '1' }))).toEqual(
      Buffer.from(ciphertextBlobAad(header, { a: '1', b: '2' })),
    );
  });

  it('should answer VALIDATION when a context value is not well-formed UTF-16', () => {
    let caught: unknown;
    try {
      blobAad(header, { a: '\ud800' });
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(KmsError);
    expect((caught as KmsError).code).toBe(ErrorCodes.VALIDATION);
  });
});
