import { describe, expect, it } from '@jest/globals';

import { expectEnvelopeError } from '../../test/envelope-error.js';
import { bindingAad, wrapBinding } from './binding.js';
import { ID, valid } from './fixtures.test-helper.js';

describe('wrapBinding', () => {
  it('should add envelope id, part and layer to the context when given a header', () => {
    expect(wrapBinding(valid(), 'key', 1)).toEqual({
      purpose: 'backup',
      'symbolon:envelope': '8PHy8/T19vf4+fr7/P3+/w==',
      'symbolon:part': 'key',
      'symbolon:layer': '1',
    });
  });

  it('should read only the id and the context when the header is a draft without authorities', () => {
    const binding = wrapBinding({ id: ID, context: {} }, 'split.7', 7);
    expect(binding).toEqual({
      'symbolon:envelope': '8PHy8/T19vf4+fr7/P3+/w==',
      'symbolon:part': 'split.7',
      'symbolon:layer': '7',
    });
  });

  it('should differ for every part and layer when the header is the same', () => {
    const seen = new Set<string>();
    for (const part of ['key', 'split.0', 'split.1']) {
      for (let layer = 0; layer < 8; layer++) {
        seen.add(new TextDecoder().decode(bindingAad(wrapBinding(valid(), part, layer))));
      }
    }
    expect(seen.size).toBe(24);
  });

  it('should not change the header context when the binding is built', () => {
    const header = valid();
    wrapBinding(header, 'key', 0);
    expect(header.context).toEqual({ purpose: 'backup' });
  });

  it('Envelope part name must be key or split.0 to split.7', () => {
    for (const part of ['', 'KEY', 'split', 'split.8', 'split.01', 'split.-1', 'key ', 7]) {
      expectEnvelopeError(
        () => wrapBinding(valid(), part as string, 0),
        'BAD_FIELD',
        'Envelope part name must be key or split.0 to split.7',
      );
    }
  });

  it('Envelope layer must be an integer from 0 to 7', () => {
    for (const layer of [-1, 8, 0.5, Number.NaN, '0']) {
      expectEnvelopeError(
        () => wrapBinding(valid(), 'key', layer as number),
        'BAD_FIELD',
        'Envelope layer must be an integer from 0 to 7',
      );
    }
  });
});

describe('bindingAad', () => {
  it('should be the canonical JSON bytes of the binding when given one from wrapBinding', () => {
    expect(new TextDecoder().decode(bindingAad(wrapBinding(valid(), 'split.0', 0)))).toBe(
      '{"purpose":"backup","symbolon:envelope":"8PHy8/T19vf4+fr7/P3+/w==","symbolon:layer":"0","symbolon:part":"split.0"}',
    );
  });

  it('Binding must be an object of strings', () => {
    for (const binding of [null, undefined, 'a', ['a'], { a: 1 }, { a: undefined }]) {
      expectEnvelopeError(
        () => bindingAad(binding as unknown as Record<string, string>),
        'BAD_FIELD',
        'Binding must be an object of strings',
      );
    }
  });
});
