import { describe, expect, it } from '@jest/globals';

import { expectEnvelopeError } from '../../test/envelope-error.js';
import { bytes, CUSTOMER, KMS, KMS2, SCHEMES, valid } from './fixtures.test-helper.js';
import type { EnvelopeHeader } from './format.js';
import { recipeParts, withAuthority, withWrapped } from './recipe.js';
import { serializeEnvelopeHeader } from './serialize.js';

describe('recipeParts', () => {
  it('should name a top-level chain key when the recipe is a chain', () => {
    expect(recipeParts(valid())).toEqual([{ part: 'key', chain: [0, 1], wrapped: bytes(60, 1) }]);
  });

  it('should name the shares split.0 to split.7 in order when the recipe is a split', () => {
    const parts = recipeParts(SCHEMES['N authorities, split of 8 chains over 16']!);
    expect(parts.map((p) => p.part)).toEqual(Array.from({ length: 8 }, (_, i) => `split.${i}`));
    expect(parts[3]).toEqual({ part: 'split.3', chain: [6, 7], wrapped: bytes(1, 3) });
  });

  it('should accept a draft whose wrapped values are still empty', () => {
    const draft: EnvelopeHeader = { ...valid(), key: { chain: [1, 0], wrapped: new Uint8Array(0) } };
    expect(recipeParts(draft)).toEqual([{ part: 'key', chain: [1, 0], wrapped: new Uint8Array(0) }]);
  });
});

describe('withWrapped', () => {
  it('should replace one share and keep the others when the recipe is a split', () => {
    const header = SCHEMES['split key']!;
    const updated = withWrapped(header, 'split.1', Uint8Array.of(9, 9));
    expect(updated.key).toEqual({
      split: [
        { chain: [0], wrapped: bytes(60, 6) },
        { chain: [1], wrapped: Uint8Array.of(9, 9) },
      ],
    });
    expect(header.key).toEqual(SCHEMES['split key']!.key);
    expect(updated.id).toEqual(header.id);
  });

  it('should fill a draft into a header that serializes when every part is given', () => {
    const draft: EnvelopeHeader = {
      ...SCHEMES['split key']!,
      key: {
        split: [
          { chain: [0], wrapped: new Uint8Array(0) },
          { chain: [1], wrapped: new Uint8Array(0) },
        ],
      },
    };
    const filled = withWrapped(withWrapped(draft, 'split.0', bytes(60, 6)), 'split.1', bytes(180, 7));
    expect(serializeEnvelopeHeader(filled)).toEqual(serializeEnvelopeHeader(SCHEMES['split key']!));
  });

  it('Envelope part does not exist', () => {
    for (const [header, part] of [
      [valid(), 'split.0'],
      [valid(), 'keys'],
      [SCHEMES['split key']!, 'key'],
      [SCHEMES['split key']!, 'split.2'],
      [SCHEMES['split key']!, 'split.01'],
    ] as const) {
      expectEnvelopeError(
        () => withWrapped(header, part, Uint8Array.of(1)),
        'BAD_FIELD',
        'Envelope part does not exist',
      );
    }
  });

  it('should refuse the new wrapped value when it is empty, too long or not bytes', () => {
    expectEnvelopeError(
      () => withWrapped(valid(), 'key', new Uint8Array(0)),
      'BAD_FIELD',
      'Envelope wrapped key is empty',
    );
    expectEnvelopeError(
      () => withWrapped(valid(), 'key', new Uint8Array(8193)),
      'TOO_LONG',
      'Envelope wrapped key is longer than 8192 bytes',
    );
    expectEnvelopeError(
      () => withWrapped(valid(), 'key', [1] as unknown as Uint8Array),
      'BAD_FIELD',
      'Envelope wrapped key must be a Uint8Array',
    );
  });
});

describe('withAuthority', () => {
  it('should replace the authority at the index and keep id, context and recipe when re-wrapping', () => {
    const updated = withAuthority(valid(), 0, KMS2);
    expect(updated).toEqual({ ...valid(), authorities: [KMS2, CUSTOMER] });
    expect(valid().authorities).toEqual([KMS, CUSTOMER]);
  });

  it('Envelope authority index is out of range', () => {
    for (const index of [-1, 2, 0.5, Number.NaN]) {
      expectEnvelopeError(
        () => withAuthority(valid(), index, KMS2),
        'BAD_FIELD',
        'Envelope authority index is out of range',
      );
    }
  });

  it('should refuse the new authority when it is invalid or repeats another id', () => {
    expectEnvelopeError(
      () => withAuthority(valid(), 0, { id: 'my-key', type: 'customer-key', keyId: '0123456789abcdef' }),
      'BAD_FIELD',
      'Envelope authority ids must be unique',
    );
    expectEnvelopeError(
      () => withAuthority(valid(), 1, { id: 'x', type: 'kms', keyArn: '' }),
      'BAD_FIELD',
      'Envelope keyArn is empty',
    );
  });
});
