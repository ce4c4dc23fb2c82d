import { describe, expect, it } from '@jest/globals';
import { runInNewContext } from 'node:vm';

import { canonicalJson, signingBytes } from './canonical.js';

describe('canonicalJson', () => {
  it.each<[string, unknown, string]>([
    ['a string', 'a"b\\c\n', '"a\\"b\\\\c\\n"'],
    ['a non-ASCII string', 'é😀', '"é😀"'],
    ['a lone surrogate', '\ud800', '"\\ud800"'],
    ['a safe integer', -9007199254740991, '-9007199254740991'],
    ['negative zero', -0, '0'],
    ['booleans and null', [true, false, null], '[true,false,null]'],
    ['an empty object and array', { a: {}, b: [] }, '{"a":{},"b":[]}'],
    ['unsorted keys', { b: 1, a: 2, c: { z: 1, y: 2 } }, '{"a":2,"b":1,"c":{"y":2,"z":1}}'],
    [
      'keys ordered by UTF-16 code units',
      { é: 1, '😀': 2, Z: 3, a: 4, '\uffff': 5 },
      '{"Z":3,"a":4,"é":1,"😀":2,"\uffff":5}',
    ],
    [
      'an object without prototype',
      Object.assign(Object.create(null) as object, { b: 1, a: 'x' }),
      '{"a":"x","b":1}',
    ],
    ['nested arrays of objects', [{ b: [1, 2], a: null }], '[{"a":null,"b":[1,2]}]'],
  ])('should write %s canonically when given one', (_name, value, expected) => {
    expect(canonicalJson(value)).toBe(expected);
  });

  it('should write the same text when keys were inserted in another order', () => {
    expect(canonicalJson({ x: 1, y: [{ q: 1, p: 2 }] })).toBe(canonicalJson({ y: [{ p: 2, q: 1 }], x: 1 }));
  });

  const shared = { a: 1 };
  it('should accept the same object twice when it is not a cycle', () => {
    expect(canonicalJson({ x: shared, y: shared })).toBe('{"x":{"a":1},"y":{"a":1}}');
  });

  it('should accept a plain object made in another realm when it comes from structuredClone or a vm context', () => {
    expect(canonicalJson(runInNewContext('({ b: [1, { c: "x" }], a: null })'))).toBe(
      '{"a":null,"b":[1,{"c":"x"}]}',
    );
    expect(canonicalJson(structuredClone({ a: { b: 1 } }))).toBe('{"a":{"b":1}}');
    expect(() => canonicalJson(runInNewContext('new Date(0)'))).toThrow(TypeError);
  });

  const cyclic: Record<string, unknown> = { a: 1 };
  cyclic['self'] = cyclic;
  it.each<[string, unknown]>([
    ['a fraction', 1.5],
    ['an unsafe integer', 2 ** 53],
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['undefined', undefined],
    ['undefined inside an object', { a: undefined }],
    ['a bigint', 1n],
    ['a symbol', Symbol('s')],
    ['a function', () => 1],
    ['a Date', new Date(0)],
    ['a Map', new Map()],
    ['a Buffer', Buffer.from('x')],
    ['a class instance', new (class Thing {})()],
    ['an array with a hole', [1, , 3]], // eslint-disable-line no-sparse-arrays
    ['an object with a symbol key', { [Symbol('k')]: 1 }],
    ['a cycle', cyclic],
  ])('should throw a TypeError when given %s', (_name, value) => {
    expect(() => canonicalJson(value)).toThrow(TypeError);
  });

  it('should name where the value is when it throws', () => {
    expect(() => canonicalJson({ a: [{ b: 0.5 }] })).toThrow('$.a[0].b is not a safe integer');
  });
});

describe('signingBytes', () => {
  it('should be the UTF-8 of the canonical JSON when given a document', () => {
    const bytes = signingBytes({ b: 'é', a: 1 });
    expect(Buffer.isBuffer(bytes)).toBe(true);
    expect(bytes.toString('hex')).toBe(Buffer.from('{"a":1,"b":"\u00e9"}', 'utf8').toString('hex'));
    expect(bytes.length).toBe(16);
  });
});
