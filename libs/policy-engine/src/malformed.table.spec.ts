// Table of policy documents that AWS would answer with MalformedPolicyDocumentException, each named after its
// defect, with the exact message compilePolicy gives; and a few boundary documents that must be accepted.
import { compilePolicy, MAX_POLICY_BYTES, type PolicyKind } from './document.js';
import { MalformedPolicyError } from './errors.js';

const ALICE = 'arn:aws:iam::111122223333:user/alice';

interface MalformedCase {
  name: string;
  kind: PolicyKind;
  /** The document as text (used as is) or as a value (JSON.stringify'd). */
  doc: unknown;
  message: string;
}

/** A well-formed statement of each kind, to break one element at a time. */
const keyStatement = (over: Record<string, unknown> = {}) => ({
  Effect: 'Allow',
  Principal: { AWS: ALICE },
  Action: 'kms:Decrypt',
  Resource: '*',
  ...over,
});
const idStatement = (over: Record<string, unknown> = {}) => ({
  Effect: 'Allow',
  Action: 'kms:Decrypt',
  Resource: '*',
  ...over,
});
const keyDoc = (over: Record<string, unknown> = {}) => ({
  Version: '2012-10-17',
  Statement: [keyStatement(over)],
});
const idDoc = (over: Record<string, unknown> = {}) => ({
  Version: '2012-10-17',
  Statement: [idStatement(over)],
});
/** A key policy whose single statement carries `condition`. */
const withCondition = (condition: unknown) => keyDoc({ Condition: condition });
const without = (key: string, doc: { Statement: Record<string, unknown>[] }) => {
  const s = { ...doc.Statement[0]! };
  delete s[key];
  return { ...doc, Statement: [s] };
};

/** A key policy of exactly `bytes` UTF-8 bytes (the Sid pads it with `fill`, one or two bytes a character). */
function keyPolicyOfBytes(bytes: number, fill = 'x'): string {
  const skeleton = (sid: string) =>
    JSON.stringify({ Version: '2012-10-17', Statement: [keyStatement({ Sid: sid })] });
  const base = new TextEncoder().encode(skeleton('')).length;
  const per = new TextEncoder().encode(fill).length;
  return skeleton(fill.repeat(Math.floor((bytes - base) / per))) + ' '.repeat((bytes - base) % per);
}

const S1 = 'Statement 1';
const CASES: readonly MalformedCase[] = [
  // The document as a whole.
  { name: 'emptyDocument', kind: 'key', doc: '', message: 'The policy document is empty' },
  {
    name: 'whitespaceOnlyDocument',
    kind: 'identity',
    doc: ' \n\t ',
    message: 'The policy document is empty',
  },
  {
    name: 'truncatedJson',
    kind: 'key',
    doc: '{"Version": "2012-10-17", "Statement": [',
    message: 'The policy document is not valid JSON',
  },
  {
    name: 'trailingCommaJson',
    kind: 'identity',
    doc: '{"Version": "2012-10-17",}',
    message: 'The policy document is not valid JSON',
  },
  {
    name: 'singleQuotedJson',
    kind: 'key',
    doc: "{'Version': '2012-10-17'}",
    message: 'The policy document is not valid JSON',
  },
  { name: 'topLevelArray', kind: 'key', doc: [keyStatement()], message: 'The policy must be a JSON object' },
  { name: 'topLevelNull', kind: 'identity', doc: 'null', message: 'The policy must be a JSON object' },
  { name: 'topLevelString', kind: 'key', doc: '"kms:*"', message: 'The policy must be a JSON object' },
  {
    name: 'unknownTopLevelElement',
    kind: 'key',
    doc: { ...keyDoc(), Statements: [] },
    message: 'Unknown policy element Statements',
  },
  {
    name: 'topLevelElementWrongCase',
    kind: 'identity',
    doc: { version: '2012-10-17', Statement: [idStatement()] },
    message: 'Unknown policy element version',
  },
  {
    name: 'oversizedDocument',
    kind: 'key',
    doc: keyPolicyOfBytes(MAX_POLICY_BYTES + 1),
    message: 'The policy document is larger than 32768 bytes',
  },
  {
    name: 'oversizedInBytesNotCharacters',
    kind: 'key',
    doc: keyPolicyOfBytes(MAX_POLICY_BYTES + 2, 'é'),
    message: 'The policy document is larger than 32768 bytes',
  },
  {
    name: 'characterAboveU00FF',
    kind: 'key',
    doc: JSON.stringify(keyDoc({ Sid: 'Ā' })),
    message:
      'The policy document has a character outside tab, line feed, carriage return and U+0020 to U+00FF',
  },
  {
    name: 'emojiCharacter',
    kind: 'identity',
    doc: JSON.stringify(idDoc({ Sid: 'key🔑' })),
    message:
      'The policy document has a character outside tab, line feed, carriage return and U+0020 to U+00FF',
  },
  {
    name: 'controlCharacterBelowU0020',
    kind: 'key',
    doc: `{"Version": "2012-10-17",\u0007"Statement": []}`,
    message:
      'The policy document has a character outside tab, line feed, carriage return and U+0020 to U+00FF',
  },
  // Version, Id, Statement.
  {
    name: 'unknownVersion',
    kind: 'key',
    doc: { ...keyDoc(), Version: '2012-10-18' },
    message: 'Version must be "2012-10-17" or "2008-10-17"',
  },
  {
    name: 'numericVersion',
    kind: 'identity',
    doc: { ...idDoc(), Version: 2012 },
    message: 'Version must be "2012-10-17" or "2008-10-17"',
  },
  { name: 'nonStringId', kind: 'key', doc: { ...keyDoc(), Id: 42 }, message: 'Id must be a string' },
  {
    name: 'missingStatement',
    kind: 'key',
    doc: { Version: '2012-10-17' },
    message: 'The policy has no Statement',
  },
  {
    name: 'emptyStatementList',
    kind: 'identity',
    doc: { Version: '2012-10-17', Statement: [] },
    message: 'The policy has no Statement',
  },
  {
    name: 'statementNotObject',
    kind: 'key',
    doc: { Version: '2012-10-17', Statement: ['Allow'] },
    message: 'Statement 1 must be an object',
  },
  { name: 'nonStringSid', kind: 'key', doc: keyDoc({ Sid: 7 }), message: `${S1}: Sid must be a string` },
  {
    name: 'duplicateSid',
    kind: 'key',
    doc: {
      Version: '2012-10-17',
      Statement: [keyStatement({ Sid: 'A' }), keyStatement({ Sid: 'B' }), keyStatement({ Sid: 'A' })],
    },
    message: 'Statement 3 ("A"): Sid is used by another statement',
  },
  {
    name: 'unknownStatementElement',
    kind: 'key',
    doc: keyDoc({ Sid: 'Use', Actions: 'kms:Encrypt' }),
    message: 'Statement 1 ("Use"): unknown element Actions',
  },
  {
    name: 'statementElementWrongCase',
    kind: 'identity',
    doc: { Version: '2012-10-17', Statement: [{ effect: 'Allow', Action: 'kms:*', Resource: '*' }] },
    message: `${S1}: unknown element effect`,
  },
  // Effect.
  {
    name: 'lowerCaseEffect',
    kind: 'key',
    doc: keyDoc({ Effect: 'allow' }),
    message: `${S1}: Effect must be "Allow" or "Deny"`,
  },
  {
    name: 'missingEffect',
    kind: 'identity',
    doc: without('Effect', idDoc()),
    message: `${S1}: Effect must be "Allow" or "Deny"`,
  },
  {
    name: 'badEffectInSecondStatement',
    kind: 'identity',
    doc: {
      Version: '2012-10-17',
      Statement: [idStatement(), idStatement({ Sid: 'Second', Effect: 'Permit' })],
    },
    message: 'Statement 2 ("Second"): Effect must be "Allow" or "Deny"',
  },
  // Principal / NotPrincipal.
  {
    name: 'principalInIdentityPolicy',
    kind: 'identity',
    doc: idDoc({ Principal: { AWS: ALICE } }),
    message: `${S1}: an identity policy cannot have a Principal or NotPrincipal`,
  },
  {
    name: 'notPrincipalInIdentityPolicy',
    kind: 'identity',
    doc: idDoc({ NotPrincipal: { AWS: ALICE } }),
    message: `${S1}: an identity policy cannot have a Principal or NotPrincipal`,
  },
  {
    name: 'missingPrincipalInKeyPolicy',
    kind: 'key',
    doc: without('Principal', keyDoc()),
    message: `${S1}: a key policy statement needs exactly one of Principal and NotPrincipal`,
  },
  {
    name: 'principalAndNotPrincipal',
    kind: 'key',
    doc: keyDoc({ NotPrincipal: { AWS: '444455556666' } }),
    message: `${S1}: a key policy statement needs exactly one of Principal and NotPrincipal`,
  },
  {
    name: 'principalBareString',
    kind: 'key',
    doc: keyDoc({ Principal: ALICE }),
    message: `${S1}: Principal must be "*" or an object such as {"AWS": ...}`,
  },
  {
    name: 'principalEmptyObject',
    kind: 'key',
    doc: keyDoc({ Principal: {} }),
    message: `${S1}: Principal is empty`,
  },
  {
    name: 'principalUnknownType',
    kind: 'key',
    doc: keyDoc({ Principal: { User: ALICE } }),
    message: `${S1}: unknown principal type User`,
  },
  {
    name: 'principalNotAnArn',
    kind: 'key',
    doc: keyDoc({ Principal: { AWS: 'alice' } }),
    message: `${S1}: invalid principal "alice" (an account id, "*" or an IAM ARN)`,
  },
  {
    name: 'principalShortAccountId',
    kind: 'key',
    doc: keyDoc({ Principal: { AWS: '11112222333' } }),
    message: `${S1}: invalid principal "11112222333" (an account id, "*" or an IAM ARN)`,
  },
  {
    name: 'principalIamGroup',
    kind: 'key',
    doc: keyDoc({ Principal: { AWS: 'arn:aws:iam::111122223333:group/devs' } }),
    message: `${S1}: invalid principal "arn:aws:iam::111122223333:group/devs" (an account id, "*" or an IAM ARN)`,
  },
  {
    name: 'principalWildcardArn',
    kind: 'key',
    doc: keyDoc({ Principal: { AWS: 'arn:aws:iam::111122223333:user/*' } }),
    message: `${S1}: invalid principal "arn:aws:iam::111122223333:user/*" (an account id, "*" or an IAM ARN)`,
  },
  {
    name: 'principalEmptyList',
    kind: 'key',
    doc: keyDoc({ Principal: { AWS: [] } }),
    message: `${S1}: Principal AWS must be a non-empty string or a non-empty list of them`,
  },
  // Action / NotAction.
  {
    name: 'missingAction',
    kind: 'identity',
    doc: without('Action', idDoc()),
    message: `${S1}: needs exactly one of Action and NotAction`,
  },
  {
    name: 'actionAndNotAction',
    kind: 'key',
    doc: keyDoc({ NotAction: 'kms:Encrypt' }),
    message: `${S1}: needs exactly one of Action and NotAction`,
  },
  {
    name: 'emptyActionList',
    kind: 'identity',
    doc: idDoc({ Action: [] }),
    message: `${S1}: Action must be a non-empty string or a non-empty list of them`,
  },
  {
    name: 'emptyActionString',
    kind: 'identity',
    doc: idDoc({ Action: '' }),
    message: `${S1}: Action must be a non-empty string or a non-empty list of them`,
  },
  {
    name: 'numericNotAction',
    kind: 'key',
    doc: without('Action', keyDoc({ NotAction: 5 })),
    message: `${S1}: NotAction must be a non-empty string or a non-empty list of them`,
  },
  {
    name: 'actionWithoutService',
    kind: 'identity',
    doc: idDoc({ Action: 'Decrypt' }),
    message: `${S1}: invalid action "Decrypt"`,
  },
  {
    name: 'actionWithSpace',
    kind: 'key',
    doc: keyDoc({ Action: ['kms:Decrypt', 'kms: Encrypt'] }),
    message: `${S1}: invalid action "kms: Encrypt"`,
  },
  // Resource / NotResource.
  {
    name: 'missingResource',
    kind: 'identity',
    doc: without('Resource', idDoc()),
    message: `${S1}: needs exactly one of Resource and NotResource`,
  },
  {
    name: 'resourceAndNotResource',
    kind: 'identity',
    doc: idDoc({ NotResource: 'arn:aws:kms:us-east-1:111122223333:key/x' }),
    message: `${S1}: needs exactly one of Resource and NotResource`,
  },
  {
    name: 'resourceNotAnArn',
    kind: 'identity',
    doc: idDoc({ Resource: 'key/1234' }),
    message: `${S1}: Resource "key/1234" must be "*" or an ARN`,
  },
  {
    name: 'emptyResourceList',
    kind: 'key',
    doc: keyDoc({ Resource: [] }),
    message: `${S1}: Resource must be a non-empty string or a non-empty list of them`,
  },
  // Condition.
  {
    name: 'conditionList',
    kind: 'key',
    doc: withCondition([{ StringEquals: {} }]),
    message: `${S1}: Condition must be an object of operators`,
  },
  {
    name: 'unknownOperator',
    kind: 'key',
    doc: withCondition({ StringEqual: { 'kms:CallerAccount': '111122223333' } }),
    message: `${S1}: unknown condition operator StringEqual`,
  },
  {
    name: 'operatorWrongCase',
    kind: 'identity',
    doc: idDoc({ Condition: { stringequals: { 'kms:CallerAccount': '111122223333' } } }),
    message: `${S1}: unknown condition operator stringequals`,
  },
  {
    name: 'unknownSetQualifier',
    kind: 'key',
    doc: withCondition({ 'ForSomeValues:StringEquals': { 'kms:EncryptionContextKeys': 'a' } }),
    message: `${S1}: unknown condition operator ForSomeValues:StringEquals`,
  },
  {
    name: 'nullWithIfExists',
    kind: 'key',
    doc: withCondition({ NullIfExists: { 'aws:PrincipalTag/team': 'true' } }),
    message: `${S1}: Null cannot take IfExists`,
  },
  {
    name: 'operatorMapsToString',
    kind: 'key',
    doc: withCondition({ StringEquals: 'kms:CallerAccount' }),
    message: `${S1}: StringEquals must map condition keys to values`,
  },
  {
    name: 'operatorWithNoKeys',
    kind: 'key',
    doc: withCondition({ Bool: {} }),
    message: `${S1}: Bool must map condition keys to values`,
  },
  {
    name: 'conditionKeyWithoutPrefix',
    kind: 'key',
    doc: withCondition({ IpAddress: { SourceIp: '10.0.0.0/8' } }),
    message: `${S1}: IpAddress has an invalid condition key "SourceIp"`,
  },
  {
    name: 'emptyConditionValueList',
    kind: 'key',
    doc: withCondition({ StringEquals: { 'kms:CallerAccount': [] } }),
    message: `${S1}: StringEquals on kms:CallerAccount needs a string, number or boolean, or a non-empty list of them`,
  },
  {
    name: 'objectConditionValue',
    kind: 'key',
    doc: withCondition({ StringEquals: { 'kms:CallerAccount': { id: '111122223333' } } }),
    message: `${S1}: StringEquals on kms:CallerAccount needs a string, number or boolean, or a non-empty list of them`,
  },
  {
    name: 'nullConditionValueInList',
    kind: 'identity',
    doc: idDoc({ Condition: { StringLike: { 'aws:PrincipalArn': ['arn:*', null] } } }),
    message: `${S1}: StringLike on aws:PrincipalArn needs a string, number or boolean, or a non-empty list of them`,
  },
  {
    name: 'nonNumericNumericEquals',
    kind: 'key',
    doc: withCondition({ NumericEquals: { 'aws:MultiFactorAuthAge': 'ten' } }),
    message: `${S1}: NumericEquals on aws:MultiFactorAuthAge needs numbers, got "ten"`,
  },
  {
    name: 'truncatedExponentNumeric',
    kind: 'key',
    doc: withCondition({ NumericLessThanIfExists: { 'aws:MultiFactorAuthAge': '1e' } }),
    message: `${S1}: NumericLessThanIfExists on aws:MultiFactorAuthAge needs numbers, got "1e"`,
  },
  {
    name: 'policyVariableInNumeric',
    kind: 'key',
    doc: withCondition({ NumericGreaterThan: { 'aws:MultiFactorAuthAge': '${aws:PrincipalTag/age}' } }),
    message: `${S1}: NumericGreaterThan on aws:MultiFactorAuthAge needs numbers, got "\${aws:PrincipalTag/age}"`,
  },
  {
    name: 'wordsForDate',
    kind: 'key',
    doc: withCondition({ DateLessThan: { 'aws:CurrentTime': 'yesterday' } }),
    message: `${S1}: DateLessThan on aws:CurrentTime needs dates, got "yesterday"`,
  },
  {
    name: 'thirteenthMonth',
    kind: 'key',
    doc: withCondition({ DateGreaterThan: { 'aws:CurrentTime': '2024-13-01' } }),
    message: `${S1}: DateGreaterThan on aws:CurrentTime needs dates, got "2024-13-01"`,
  },
  {
    name: 'thirtiethOfFebruary',
    kind: 'identity',
    doc: idDoc({ Condition: { DateEquals: { 'aws:CurrentTime': '2024-02-30' } } }),
    message: `${S1}: DateEquals on aws:CurrentTime needs dates, got "2024-02-30"`,
  },
  {
    name: 'dateWithTrailingText',
    kind: 'key',
    doc: withCondition({ DateNotEquals: { 'aws:CurrentTime': '2024-06-01 noon' } }),
    message: `${S1}: DateNotEquals on aws:CurrentTime needs dates, got "2024-06-01 noon"`,
  },
  {
    name: 'policyVariableInDate',
    kind: 'key',
    doc: withCondition({ DateLessThan: { 'aws:CurrentTime': '${aws:PrincipalTag/expiry}' } }),
    message: `${S1}: DateLessThan on aws:CurrentTime needs dates, got "\${aws:PrincipalTag/expiry}"`,
  },
  {
    name: 'ipv4OctetOver255',
    kind: 'key',
    doc: withCondition({ IpAddress: { 'aws:SourceIp': '10.0.0.256' } }),
    message: `${S1}: IpAddress on aws:SourceIp needs IP addresses or CIDR ranges, got "10.0.0.256"`,
  },
  {
    name: 'ipv4PrefixOver32',
    kind: 'key',
    doc: withCondition({ NotIpAddress: { 'aws:SourceIp': '10.0.0.0/33' } }),
    message: `${S1}: NotIpAddress on aws:SourceIp needs IP addresses or CIDR ranges, got "10.0.0.0/33"`,
  },
  {
    name: 'ipv6PrefixOver128',
    kind: 'identity',
    doc: idDoc({ Condition: { IpAddress: { 'aws:SourceIp': '2001:db8::/129' } } }),
    message: `${S1}: IpAddress on aws:SourceIp needs IP addresses or CIDR ranges, got "2001:db8::/129"`,
  },
  {
    name: 'ipv6TwoDoubleColons',
    kind: 'key',
    doc: withCondition({ IpAddress: { 'aws:SourceIp': '2001::db8::1' } }),
    message: `${S1}: IpAddress on aws:SourceIp needs IP addresses or CIDR ranges, got "2001::db8::1"`,
  },
  {
    name: 'hostNameForIp',
    kind: 'key',
    doc: withCondition({ IpAddressIfExists: { 'aws:SourceIp': 'example.com' } }),
    message: `${S1}: IpAddressIfExists on aws:SourceIp needs IP addresses or CIDR ranges, got "example.com"`,
  },
  {
    name: 'policyVariableInIp',
    kind: 'key',
    doc: withCondition({ IpAddress: { 'aws:SourceIp': '${aws:PrincipalTag/office-ip}' } }),
    message: `${S1}: IpAddress on aws:SourceIp needs IP addresses or CIDR ranges, got "\${aws:PrincipalTag/office-ip}"`,
  },
  {
    name: 'boolYes',
    kind: 'key',
    doc: withCondition({ Bool: { 'aws:SecureTransport': 'yes' } }),
    message: `${S1}: Bool on aws:SecureTransport needs true or false, got "yes"`,
  },
  {
    name: 'boolNumber',
    kind: 'identity',
    doc: idDoc({ Condition: { BoolIfExists: { 'aws:SecureTransport': 1 } } }),
    message: `${S1}: BoolIfExists on aws:SecureTransport needs true or false, got "1"`,
  },
  {
    name: 'nullMaybe',
    kind: 'key',
    doc: withCondition({ Null: { 'aws:PrincipalTag/team': 'maybe' } }),
    message: `${S1}: Null on aws:PrincipalTag/team needs true or false, got "maybe"`,
  },
];

interface AcceptedCase {
  name: string;
  kind: PolicyKind;
  doc: unknown;
  statements: number;
}

const ACCEPTED: readonly AcceptedCase[] = [
  { name: 'exactlyMaxBytes', kind: 'key', doc: keyPolicyOfBytes(MAX_POLICY_BYTES), statements: 1 },
  {
    name: 'exactlyMaxBytesOfTwoByteCharacters',
    kind: 'key',
    doc: keyPolicyOfBytes(MAX_POLICY_BYTES, 'é'),
    statements: 1,
  },
  {
    name: 'tabsNewlinesAndLatin1',
    kind: 'key',
    doc: `{\t"Version": "2012-10-17",\r\n"Statement": {"Sid": "clé ÿ", "Effect": "Allow", "Principal": "*", "Action": "kms:*", "Resource": "*"}}`,
    statements: 1,
  },
  { name: 'noVersion', kind: 'identity', doc: { Statement: [idStatement()] }, statements: 1 },
  {
    name: 'oldVersionWithCondition',
    kind: 'identity',
    doc: {
      Version: '2008-10-17',
      Statement: [idStatement({ Condition: { NumericEquals: { 'aws:MultiFactorAuthAge': '1' } } })],
    },
    statements: 1,
  },
  {
    name: 'variableInBool',
    kind: 'key',
    doc: withCondition({ Bool: { 'aws:SecureTransport': '${aws:PrincipalTag/tls}' } }),
    statements: 1,
  },
  {
    name: 'epochAndOffsetDates',
    kind: 'key',
    doc: withCondition({
      DateGreaterThan: {
        'aws:CurrentTime': ['1717243200', '2024-06-01T14:00:00+02:00', '2024-06-01T12:00Z'],
      },
    }),
    statements: 1,
  },
  {
    name: 'everyPrincipalForm',
    kind: 'key',
    doc: keyDoc({
      Principal: {
        AWS: [
          '*',
          '111122223333',
          'arn:aws:iam::111122223333:root',
          'arn:aws:iam::111122223333:role/path/app',
        ],
        Service: 'ec2.amazonaws.com',
      },
    }),
    statements: 1,
  },
  {
    name: 'idAndSeveralStatements',
    kind: 'identity',
    doc: {
      Version: '2012-10-17',
      Id: 'p1',
      Statement: [idStatement({ Sid: 'A' }), idStatement({ Sid: 'B', Effect: 'Deny' })],
    },
    statements: 2,
  },
];

const textOf = (doc: unknown) => (typeof doc === 'string' ? doc : JSON.stringify(doc));

describe('compilePolicy (malformed documents table)', () => {
  it('should hold at least 30 malformed documents with unique names when the table is built', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(30);
    expect(new Set(CASES.map((c) => c.name)).size).toBe(CASES.length);
  });

  it.each(CASES)('should reject $name with its message', ({ kind, doc, message }) => {
    let thrown: unknown;
    try {
      compilePolicy(textOf(doc), kind);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(MalformedPolicyError);
    expect((thrown as Error).message).toBe(message);
  });

  it.each(ACCEPTED)('should accept $name', ({ kind, doc, statements }) => {
    expect(compilePolicy(textOf(doc), kind).statements).toHaveLength(statements);
  });
});
