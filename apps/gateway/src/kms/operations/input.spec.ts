import { AwsError } from '../aws-error.js';
import { Input } from './input.js';

function thrown(fn: () => unknown): AwsError {
  try {
    fn();
  } catch (e) {
    if (e instanceof AwsError) return e;
    throw e;
  }
  throw new Error('expected an AwsError, nothing was thrown');
}

const input = (body: Record<string, unknown>) => new Input(body);
const b64OfLength = (n: number) => Buffer.alloc(n, 7).toString('base64');

describe('Input', () => {
  describe('parse', () => {
    it('should read an empty object when the body is empty', () => {
      const i = Input.parse(Buffer.alloc(0));
      expect(i.has('KeyId')).toBe(false);
      expect(i.stringMap('EncryptionContext')).toEqual({});
      expect(() => i.done()).not.toThrow();
    });

    it('should read the fields when the body is a JSON object', () => {
      const i = Input.parse(Buffer.from(JSON.stringify({ KeyId: 'k', Limit: 5 })));
      expect(i.string('KeyId', { max: 10 })).toBe('k');
      expect(i.integer('Limit', { min: 1, max: 10 })).toBe(5);
    });

    it.each(['{', '{"a":}', 'not json', '\u0000'])(
      'should throw SerializationException when the body %j is not JSON',
      (raw) => {
        expect(thrown(() => Input.parse(Buffer.from(raw)))).toMatchObject({
          type: 'SerializationException',
          status: 400,
          message: 'The request body is not valid JSON.',
        });
      },
    );

    it.each(['[]', '[{"KeyId":"x"}]', 'null', '3', '"text"', 'true'])(
      'should throw SerializationException when the body %s is not an object',
      (raw) => {
        expect(thrown(() => Input.parse(Buffer.from(raw)))).toMatchObject({
          type: 'SerializationException',
          message: 'The request body must be a JSON object.',
        });
      },
    );
  });

  describe('string', () => {
    it.each([[42], [true], [{}], [['a']]])(
      'should throw SerializationException when the value %j is not a string',
      (v) => {
        expect(thrown(() => input({ KeyId: v }).string('KeyId', { max: 10 }))).toMatchObject({
          type: 'SerializationException',
          message: 'Expected a string for KeyId.',
        });
      },
    );

    it('should report a null member in camel case when a required string is missing', () => {
      const i = input({});
      expect(i.string('KeyId', { required: true, max: 10 })).toBeUndefined();
      expect(thrown(() => i.done())).toMatchObject({
        type: 'ValidationException',
        status: 400,
        message:
          "1 validation error detected: Value null at 'keyId' failed to satisfy constraint: Member must not be null",
      });
    });

    it('should treat null as missing when a required string is null', () => {
      const i = input({ KeyId: null });
      expect(i.string('KeyId', { required: true, max: 10 })).toBeUndefined();
      expect(() => i.done()).toThrow(/Member must not be null/);
    });

    it('should accept a missing string when it is optional', () => {
      const i = input({});
      expect(i.string('Marker', { max: 10 })).toBeUndefined();
      expect(() => i.done()).not.toThrow();
    });

    it('should report the minimum length when a string is empty', () => {
      const i = input({ KeyId: '' });
      i.string('KeyId', { required: true, max: 10 });
      expect(thrown(() => i.done()).message).toBe(
        "1 validation error detected: Value at 'keyId' failed to satisfy constraint: Member must have length greater than or equal to 1",
      );
    });

    it('should accept an empty string when the minimum is 0', () => {
      const i = input({ Description: '' });
      expect(i.string('Description', { min: 0, max: 10 })).toBe('');
      expect(() => i.done()).not.toThrow();
    });

    it('should accept the string when it is exactly the maximum length', () => {
      const i = input({ KeyId: 'x'.repeat(2048) });
      i.string('KeyId', { max: 2048 });
      expect(() => i.done()).not.toThrow();
    });

    it('should report the maximum length when a string is one character too long', () => {
      const i = input({ KeyId: 'x'.repeat(2049) });
      expect(i.string('KeyId', { max: 2048 })).toHaveLength(2049);
      expect(thrown(() => i.done()).message).toBe(
        "1 validation error detected: Value at 'keyId' failed to satisfy constraint: Member must have length less than or equal to 2048",
      );
    });
  });

  describe('integer', () => {
    it.each([['5'], [1.5], [true], [[1]], [{}]])(
      'should throw SerializationException when the value %j is not an integer',
      (v) => {
        expect(thrown(() => input({ Limit: v }).integer('Limit', { min: 1, max: 10 }))).toMatchObject({
          type: 'SerializationException',
          message: 'Expected an integer for Limit.',
        });
      },
    );

    it('should answer undefined when the integer is missing or null', () => {
      expect(input({}).integer('Limit', { min: 1, max: 10 })).toBeUndefined();
      expect(input({ Limit: null }).integer('Limit', { min: 1, max: 10 })).toBeUndefined();
    });

    it('should accept the bounds when the value equals min or max', () => {
      const i = input({ A: 1, B: 1024 });
      expect(i.integer('A', { min: 1, max: 1024 })).toBe(1);
      expect(i.integer('B', { min: 1, max: 1024 })).toBe(1024);
      expect(() => i.done()).not.toThrow();
    });

    it('should report the value and the minimum when the value is below it', () => {
      const i = input({ NumberOfBytes: 0 });
      i.integer('NumberOfBytes', { min: 1, max: 1024 });
      expect(thrown(() => i.done()).message).toBe(
        "1 validation error detected: Value '0' at 'numberOfBytes' failed to satisfy constraint: Member must have value greater than or equal to 1",
      );
    });

    it('should report the value and the maximum when the value is above it', () => {
      const i = input({ NumberOfBytes: 1025 });
      i.integer('NumberOfBytes', { min: 1, max: 1024 });
      expect(thrown(() => i.done()).message).toBe(
        "1 validation error detected: Value '1025' at 'numberOfBytes' failed to satisfy constraint: Member must have value less than or equal to 1024",
      );
    });
  });

  describe('boolean', () => {
    it.each([['true'], [1], [0], [{}]])(
      'should throw SerializationException when the value %j is not a boolean',
      (v) => {
        expect(thrown(() => input({ DryRun: v }).boolean('DryRun'))).toMatchObject({
          type: 'SerializationException',
          message: 'Expected a boolean for DryRun.',
        });
      },
    );

    it('should read true, false and missing when given them', () => {
      expect(input({ DryRun: true }).boolean('DryRun')).toBe(true);
      expect(input({ DryRun: false }).boolean('DryRun')).toBe(false);
      expect(input({}).boolean('DryRun')).toBeUndefined();
    });
  });

  describe('blob', () => {
    const opts = { required: true, min: 1, max: 4096 };

    it.each([[4096], [4095], [4094], [1], [2], [3]])(
      'should accept a blob when it decodes to %i bytes',
      (n) => {
        const i = input({ Plaintext: b64OfLength(n) });
        expect(i.blob('Plaintext', opts)).toBe(b64OfLength(n));
        expect(() => i.done()).not.toThrow();
      },
    );

    it.each([[4097], [4098], [4099], [6000]])(
      'should report the maximum when the blob decodes to %i bytes',
      (n) => {
        const i = input({ Plaintext: b64OfLength(n) });
        i.blob('Plaintext', opts);
        expect(thrown(() => i.done())).toMatchObject({
          type: 'ValidationException',
          message:
            "1 validation error detected: Value at 'plaintext' failed to satisfy constraint: Member must have length less than or equal to 4096",
        });
      },
    );

    it('should report the minimum when the blob is the empty string', () => {
      const i = input({ Plaintext: '' });
      expect(i.blob('Plaintext', opts)).toBe('');
      expect(thrown(() => i.done()).message).toBe(
        "1 validation error detected: Value at 'plaintext' failed to satisfy constraint: Member must have length greater than or equal to 1",
      );
    });

    it('should report a null member when a required blob is missing', () => {
      const i = input({});
      expect(i.blob('CiphertextBlob', { required: true, min: 1, max: 6144 })).toBeUndefined();
      expect(thrown(() => i.done()).message).toBe(
        "1 validation error detected: Value null at 'ciphertextBlob' failed to satisfy constraint: Member must not be null",
      );
    });

    it.each([[12], [true], [[1, 2]], [{ a: 'b' }]])(
      'should throw SerializationException when the blob %j is not a string',
      (v) => {
        expect(thrown(() => input({ Plaintext: v }).blob('Plaintext', opts))).toMatchObject({
          type: 'SerializationException',
          message: 'Expected a base64 string for Plaintext.',
        });
      },
    );

    it.each(['abc', 'a', 'ab=c', 'YQ', 'YQ=', 'YW=J', '-_-_', 'YWJj ZA==', 'YWJj\nZGVm', '====', 'YQ==='])(
      'should throw SerializationException when %j is not padded base64',
      (v) => {
        expect(thrown(() => input({ Plaintext: v }).blob('Plaintext', opts))).toMatchObject({
          type: 'SerializationException',
          message: 'Value for Plaintext is not valid base64.',
        });
      },
    );
  });

  describe('stringMap', () => {
    it('should answer an empty map when the member is missing or null', () => {
      expect(input({}).stringMap('EncryptionContext')).toEqual({});
      expect(input({ EncryptionContext: null }).stringMap('EncryptionContext')).toEqual({});
    });

    it('should read the entries when every value is a string', () => {
      const i = input({ EncryptionContext: { purpose: 'test', tenant: 'a b' } });
      expect(i.stringMap('EncryptionContext')).toEqual({ purpose: 'test', tenant: 'a b' });
      expect(() => i.done()).not.toThrow();
    });

    it.each([[1], [true], [null], [{ nested: 'x' }], [['x']]])(
      'should throw SerializationException naming the key when a value is %j',
      (v) => {
        expect(
          thrown(() => input({ EncryptionContext: { ok: 'x', bad: v } }).stringMap('EncryptionContext')),
        ).toMatchObject({
          type: 'SerializationException',
          message: "Expected string values in EncryptionContext; 'bad' is not a string.",
        });
      },
    );

    it.each([['text'], [3], [true], [['a', 'b']]])(
      'should throw SerializationException when the map is %j',
      (v) => {
        expect(thrown(() => input({ EncryptionContext: v }).stringMap('EncryptionContext'))).toMatchObject({
          type: 'SerializationException',
          message: 'Expected an object for EncryptionContext.',
        });
      },
    );

    it('should report a constraint error when a key is empty', () => {
      const i = input({ EncryptionContext: { '': 'v' } });
      i.stringMap('EncryptionContext');
      expect(thrown(() => i.done())).toMatchObject({
        type: 'ValidationException',
        message: "1 validation error detected: Keys of 'encryptionContext' must not be empty",
      });
    });

    it('should accept the map when keys and values total exactly 8192 characters', () => {
      const i = input({ EncryptionContext: { k: 'v'.repeat(8191) } });
      i.stringMap('EncryptionContext');
      expect(() => i.done()).not.toThrow();
    });

    it('should report a constraint error when keys and values total more than 8192 characters', () => {
      const i = input({ EncryptionContext: { k: 'v'.repeat(8192) } });
      i.stringMap('EncryptionContext');
      expect(thrown(() => i.done()).message).toBe(
        "1 validation error detected: 'encryptionContext' must not exceed 8192 characters",
      );
    });

    it('should report a constraint error instead of dropping the entry when a key is __proto__', () => {
      const i = Input.parse(Buffer.from('{"EncryptionContext":{"__proto__":"a","k":"v"}}'));
      const map = i.stringMap('EncryptionContext');
      expect(Object.keys(map)).toEqual(['k']);
      expect(Object.getPrototypeOf(map)).toBe(Object.prototype);
      expect(thrown(() => i.done())).toMatchObject({
        type: 'ValidationException',
        status: 400,
        message: "1 validation error detected: '__proto__' is not allowed as a key of 'encryptionContext'",
      });
    });

    it.each([
      ['a lone high surrogate key', '{"EncryptionContext":{"\\ud800":"v","k":"v"}}'],
      ['a lone low surrogate key', '{"EncryptionContext":{"a\\udc00b":"v","k":"v"}}'],
      ['a lone high surrogate value', '{"EncryptionContext":{"bad":"x\\ud800","k":"v"}}'],
      ['a reversed surrogate pair value', '{"EncryptionContext":{"bad":"\\udc00\\ud800","k":"v"}}'],
    ])('should report a constraint error and drop the entry when the map has %s', (_, raw) => {
      const i = Input.parse(Buffer.from(raw));
      expect(i.stringMap('EncryptionContext')).toEqual({ k: 'v' });
      expect(thrown(() => i.done())).toMatchObject({
        type: 'ValidationException',
        status: 400,
        message:
          "1 validation error detected: Keys and values of 'encryptionContext' must be well-formed Unicode (no lone surrogates)",
      });
    });

    it('should accept the map when keys and values hold surrogate pairs', () => {
      const i = Input.parse(Buffer.from('{"EncryptionContext":{"\\ud83d\\udd11":"\\ud83d\\udd12"}}'));
      expect(i.stringMap('EncryptionContext')).toEqual({ '\u{1F511}': '\u{1F512}' });
      expect(() => i.done()).not.toThrow();
    });
  });

  describe('stringList', () => {
    it('should answer an empty list when the member is missing', () => {
      expect(input({}).stringList('GrantTokens', { maxItems: 10, maxLength: 8192 })).toEqual([]);
    });

    it.each([['token'], [{ a: 'b' }], [[1]], [['a', null]]])(
      'should throw SerializationException when the list is %j',
      (v) => {
        expect(
          thrown(() =>
            input({ GrantTokens: v }).stringList('GrantTokens', { maxItems: 10, maxLength: 8192 }),
          ),
        ).toMatchObject({
          type: 'SerializationException',
          message: 'Expected a list of strings for GrantTokens.',
        });
      },
    );

    it('should report the maximum when the list has too many items', () => {
      const i = input({ GrantTokens: Array.from({ length: 11 }, (_, n) => `t${n}`) });
      i.stringList('GrantTokens', { maxItems: 10, maxLength: 8192 });
      expect(thrown(() => i.done()).message).toBe(
        "1 validation error detected: Value at 'grantTokens' failed to satisfy constraint: Member must have length less than or equal to 10",
      );
    });

    it('should accept the list when it has exactly the maximum number of items', () => {
      const i = input({ GrantTokens: Array.from({ length: 10 }, (_, n) => `t${n}`) });
      expect(i.stringList('GrantTokens', { maxItems: 10, maxLength: 8192 })).toHaveLength(10);
      expect(() => i.done()).not.toThrow();
    });

    it.each([
      ['longer than the maximum length', ['ok', 'x'.repeat(9)]],
      ['empty', ['ok', '']],
    ])('should report the item length constraint when an item is %s', (_, items) => {
      const i = input({ GrantTokens: items });
      i.stringList('GrantTokens', { maxItems: 10, maxLength: 8 });
      expect(thrown(() => i.done())).toMatchObject({
        type: 'ValidationException',
        status: 400,
        message:
          "1 validation error detected: Value at 'grantTokens' failed to satisfy constraint: Member must have length between 1 and 8",
      });
    });

    it('should accept the list when an item is exactly the maximum length', () => {
      const i = input({ GrantTokens: ['x', 'x'.repeat(8)] });
      expect(i.stringList('GrantTokens', { maxItems: 10, maxLength: 8 })).toEqual(['x', 'x'.repeat(8)]);
      expect(() => i.done()).not.toThrow();
    });
  });

  describe('oneOf', () => {
    const allowed = ['AES_256', 'AES_128'] as const;

    it('should answer the value when it is allowed', () => {
      const i = input({ KeySpec: 'AES_128' });
      expect(i.oneOf('KeySpec', allowed)).toBe('AES_128');
      expect(() => i.done()).not.toThrow();
    });

    it('should report the enum value set when the value is not allowed', () => {
      const i = input({ KeySpec: 'AES_512' });
      i.oneOf('KeySpec', allowed);
      expect(thrown(() => i.done())).toMatchObject({
        type: 'ValidationException',
        message:
          "1 validation error detected: Value 'AES_512' at 'keySpec' failed to satisfy constraint: Member must satisfy enum value set: [AES_256, AES_128]",
      });
    });

    it('should throw SerializationException when the value is not a string', () => {
      expect(thrown(() => input({ KeySpec: 256 }).oneOf('KeySpec', allowed)).type).toBe(
        'SerializationException',
      );
    });
  });

  describe('has', () => {
    it('should tell present members from missing and null ones when asked', () => {
      const i = input({ A: 0, B: '', C: false, D: null });
      expect(['A', 'B', 'C', 'D', 'E'].map((n) => i.has(n))).toEqual([true, true, true, false, false]);
    });
  });

  describe('done', () => {
    it('should join every problem with "; " and count them when there are several', () => {
      const i = input({ NumberOfBytes: 0, KeySpec: 'X' });
      i.string('KeyId', { required: true, max: 10 });
      i.integer('NumberOfBytes', { min: 1, max: 1024 });
      i.oneOf('KeySpec', ['AES_256']);
      expect(thrown(() => i.done()).message).toBe(
        '3 validation errors detected: ' +
          "Value null at 'keyId' failed to satisfy constraint: Member must not be null; " +
          "Value '0' at 'numberOfBytes' failed to satisfy constraint: Member must have value greater than or equal to 1; " +
          "Value 'X' at 'keySpec' failed to satisfy constraint: Member must satisfy enum value set: [AES_256]",
      );
    });

    it('should not throw when no constraint failed', () => {
      expect(() => input({ KeyId: 'abc' }).done()).not.toThrow();
    });
  });
});
