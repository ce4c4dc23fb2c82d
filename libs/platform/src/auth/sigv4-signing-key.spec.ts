import { describe, expect, it } from '@jest/globals';

import { deriveSigningKey } from './sigv4-signing-key.js';

describe('deriveSigningKey', () => {
  it('should give the signing key of the AWS SigV4 documentation example', () => {
    // docs.aws.amazon.com, "Deriving the signing key": secret wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY, 20120215,
    // us-east-1, iam.
    expect(
      deriveSigningKey('wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', '20120215', 'us-east-1', 'iam').toString(
        'hex',
      ),
    ).toBe('f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d');
  });

  it('should give another key for another day, region or service', () => {
    const base = deriveSigningKey('secret', '20261129', 'us-east-1', 's3').toString('hex');
    expect(deriveSigningKey('secret', '20261130', 'us-east-1', 's3').toString('hex')).not.toBe(base);
    expect(deriveSigningKey('secret', '20261129', 'eu-west-1', 's3').toString('hex')).not.toBe(base);
    expect(deriveSigningKey('secret', '20261129', 'us-east-1', 'kms').toString('hex')).not.toBe(base);
  });

  it('should match the AWS documentation example when given its secret, date, region and service', () => {
    // AWS General Reference, "Examples of how to derive a signing key for Signature Version 4".
    const key = deriveSigningKey('wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', '20150830', 'us-east-1', 'iam');
    expect(key.toString('hex')).toBe('c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9');
  });

  it('the signing date must be yyyymmdd', () => {
    expect(() => deriveSigningKey('secret', '2026-11-29', 'us-east-1', 's3')).toThrow(
      'the signing date must be yyyymmdd',
    );
  });

  it('region and service must be non-empty', () => {
    expect(() => deriveSigningKey('secret', '20261129', '', 's3')).toThrow(
      'region and service must be non-empty',
    );
  });
});
