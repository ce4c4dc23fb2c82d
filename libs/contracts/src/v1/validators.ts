import { type ValidationOptions, registerDecorator } from 'class-validator';

/** A plain object whose values are all strings (an encryption context). */
export function IsStringMap(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) => {
    registerDecorator({
      name: 'isStringMap',
      target: target.constructor,
      propertyName: String(propertyName),
      options: { message: `${String(propertyName)} must be an object of string values`, ...options },
      validator: {
        validate: (value: unknown) =>
          typeof value === 'object' &&
          value !== null &&
          !Array.isArray(value) &&
          Object.values(value as object).every((v) => typeof v === 'string'),
      },
    });
  };
}

const isStringMap = (value: unknown): boolean =>
  typeof value === 'object' &&
  value !== null &&
  !Array.isArray(value) &&
  Object.values(value as object).every((v) => typeof v === 'string');

/** Grant constraints: an object with only encryptionContextEquals and / or encryptionContextSubset, string maps. */
export function IsGrantConstraints(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) => {
    registerDecorator({
      name: 'isGrantConstraints',
      target: target.constructor,
      propertyName: String(propertyName),
      options: {
        message: `${String(propertyName)} must have only encryptionContextEquals and encryptionContextSubset, objects of string values`,
        ...options,
      },
      validator: {
        validate: (value: unknown) =>
          typeof value === 'object' &&
          value !== null &&
          !Array.isArray(value) &&
          Object.entries(value as object).every(
            ([k, v]) =>
              (k === 'encryptionContextEquals' || k === 'encryptionContextSubset') && isStringMap(v),
          ),
      },
    });
  };
}
