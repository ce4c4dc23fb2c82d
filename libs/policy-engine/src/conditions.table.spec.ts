// Table of condition cases drawn from the IAM user guide (condition operators, multivalued keys, policy variables)
// and the KMS developer guide (kms: condition keys). Each row is one key policy statement that names the caller
// directly, so the request is allowed exactly when the statement's Condition (and Resource) holds.
import type { ContextValue } from './context.js';
import { compilePolicy } from './document.js';
import { evaluate } from './evaluate.js';

const KEY = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const OTHER_KEY = 'arn:aws:kms:us-east-1:111122223333:key/0987dcba-09fe-87dc-65ba-ab0987654321';
const ALICE = 'arn:aws:iam::111122223333:user/alice';

const ALLOWED = 'allowed by key policy statement "UnderTest"';
const DENIED = `implicit deny: no key policy statement, identity policy or grant allows ${ALICE} to perform kms:Decrypt on ${KEY}`;

interface ConditionCase {
  name: string;
  /** The statement's Condition element. */
  condition?: Record<string, Record<string, unknown>>;
  /** The statement's Resource (default `*`). */
  resource?: string | string[];
  version?: '2012-10-17' | '2008-10-17';
  /** The request's condition keys. */
  context: Record<string, ContextValue>;
  effect: 'ALLOW' | 'DENY';
  reason: string;
}

const c = (
  name: string,
  condition: Record<string, Record<string, unknown>>,
  context: Record<string, ContextValue>,
  effect: 'ALLOW' | 'DENY',
): ConditionCase => ({ name, condition, context, effect, reason: effect === 'ALLOW' ? ALLOWED : DENIED });

const EC_DEPT = 'kms:EncryptionContext:Department';
const EC_KEYS = 'kms:EncryptionContextKeys';
const MFA_AGE = 'aws:MultiFactorAuthAge';
const NOW = 'aws:CurrentTime';
const IP = 'aws:SourceIp';
const TLS = 'aws:SecureTransport';
const PRINCIPAL = 'aws:PrincipalArn';
const BLOB = 'aws:SomeBinary';

const stringCases: ConditionCase[] = [
  c(
    'should allow when StringEquals matches kms:CallerAccount',
    { StringEquals: { 'kms:CallerAccount': '111122223333' } },
    { 'kms:CallerAccount': '111122223333' },
    'ALLOW',
  ),
  c(
    'should deny when StringEquals does not match kms:CallerAccount',
    { StringEquals: { 'kms:CallerAccount': '111122223333' } },
    { 'kms:CallerAccount': '444455556666' },
    'DENY',
  ),
  c(
    'should deny when StringEquals names a key the request lacks',
    { StringEquals: { 'kms:CallerAccount': '111122223333' } },
    {},
    'DENY',
  ),
  c(
    'should allow when StringEquals has several values and the second matches (OR)',
    { StringEquals: { 'kms:CallerAccount': ['444455556666', '111122223333'] } },
    { 'kms:CallerAccount': '111122223333' },
    'ALLOW',
  ),
  c(
    'should deny when StringEquals has several values and none matches',
    { StringEquals: { 'kms:CallerAccount': ['444455556666', '777788889999'] } },
    { 'kms:CallerAccount': '111122223333' },
    'DENY',
  ),
  c(
    'should deny when StringEquals compares values that differ only in case',
    { StringEquals: { [EC_DEPT]: 'Finance' } },
    { [EC_DEPT]: 'finance' },
    'DENY',
  ),
  c(
    'should deny when StringEquals has a * that is not a wildcard',
    { StringEquals: { 'aws:PrincipalTag/team': 'app-*' } },
    { 'aws:PrincipalTag/team': 'app-x' },
    'DENY',
  ),
  c(
    'should allow when StringNotEquals differs from the request value',
    { StringNotEquals: { 'kms:CallerAccount': '444455556666' } },
    { 'kms:CallerAccount': '111122223333' },
    'ALLOW',
  ),
  c(
    'should deny when StringNotEquals equals the request value',
    { StringNotEquals: { 'kms:CallerAccount': '111122223333' } },
    { 'kms:CallerAccount': '111122223333' },
    'DENY',
  ),
  c(
    'should allow when StringNotEquals names a key the request lacks',
    { StringNotEquals: { 'kms:CallerAccount': '111122223333' } },
    {},
    'ALLOW',
  ),
  c(
    'should deny when StringNotEquals has several values and one equals the request value (NOR)',
    { StringNotEquals: { 'kms:CallerAccount': ['444455556666', '111122223333'] } },
    { 'kms:CallerAccount': '111122223333' },
    'DENY',
  ),
  c(
    'should allow when StringNotEquals has several values and none equals the request value',
    { StringNotEquals: { 'kms:CallerAccount': ['444455556666', '777788889999'] } },
    { 'kms:CallerAccount': '111122223333' },
    'ALLOW',
  ),
  c(
    'should allow when StringEqualsIgnoreCase matches in another case',
    { StringEqualsIgnoreCase: { [EC_DEPT]: 'FINANCE' } },
    { [EC_DEPT]: 'finance' },
    'ALLOW',
  ),
  c(
    'should deny when StringEqualsIgnoreCase differs beyond case',
    { StringEqualsIgnoreCase: { [EC_DEPT]: 'FINANCE' } },
    { [EC_DEPT]: 'finances' },
    'DENY',
  ),
  c(
    'should deny when StringNotEqualsIgnoreCase equals the request value in another case',
    { StringNotEqualsIgnoreCase: { [EC_DEPT]: 'HR' } },
    { [EC_DEPT]: 'hr' },
    'DENY',
  ),
  c(
    'should allow when StringNotEqualsIgnoreCase differs from the request value',
    { StringNotEqualsIgnoreCase: { [EC_DEPT]: 'HR' } },
    { [EC_DEPT]: 'Finance' },
    'ALLOW',
  ),
  c(
    'should allow when StringNotEqualsIgnoreCase names a key the request lacks',
    { StringNotEqualsIgnoreCase: { [EC_DEPT]: 'HR' } },
    {},
    'ALLOW',
  ),
  c(
    'should allow when StringLike with * matches aws:PrincipalArn',
    { StringLike: { [PRINCIPAL]: 'arn:aws:iam::111122223333:user/a*' } },
    { [PRINCIPAL]: ALICE },
    'ALLOW',
  ),
  c(
    'should allow when StringLike with ? matches exactly one character',
    { StringLike: { 'aws:PrincipalTag/team': 'team-?' } },
    { 'aws:PrincipalTag/team': 'team-a' },
    'ALLOW',
  ),
  c(
    'should deny when StringLike with ? meets two characters',
    { StringLike: { 'aws:PrincipalTag/team': 'team-?' } },
    { 'aws:PrincipalTag/team': 'team-ab' },
    'DENY',
  ),
  c(
    'should deny when StringLike is case-sensitive',
    { StringLike: { 'aws:PrincipalTag/team': 'Team-*' } },
    { 'aws:PrincipalTag/team': 'team-a' },
    'DENY',
  ),
  c(
    'should deny when StringLike names a key the request lacks',
    { StringLike: { 'aws:PrincipalTag/team': '*' } },
    {},
    'DENY',
  ),
  c(
    'should deny when StringNotLike matches the request value',
    { StringNotLike: { [PRINCIPAL]: 'arn:aws:iam::*:user/a*' } },
    { [PRINCIPAL]: ALICE },
    'DENY',
  ),
  c(
    'should allow when StringNotLike does not match the request value',
    { StringNotLike: { [PRINCIPAL]: 'arn:aws:iam::*:role/*' } },
    { [PRINCIPAL]: ALICE },
    'ALLOW',
  ),
  c(
    'should allow when StringNotLike names a key the request lacks',
    { StringNotLike: { [PRINCIPAL]: '*' } },
    {},
    'ALLOW',
  ),
  c(
    'should allow when StringEqualsIfExists names a key the request lacks',
    { StringEqualsIfExists: { 'kms:ViaService': 'ec2.us-east-1.amazonaws.com' } },
    {},
    'ALLOW',
  ),
  c(
    'should deny when StringEqualsIfExists meets a different value',
    { StringEqualsIfExists: { 'kms:ViaService': 'ec2.us-east-1.amazonaws.com' } },
    { 'kms:ViaService': 'rds.us-east-1.amazonaws.com' },
    'DENY',
  ),
  c(
    'should allow when StringEqualsIfExists meets the same value',
    { StringEqualsIfExists: { 'kms:ViaService': 'ec2.us-east-1.amazonaws.com' } },
    { 'kms:ViaService': 'ec2.us-east-1.amazonaws.com' },
    'ALLOW',
  ),
  c(
    'should deny when StringNotEqualsIfExists meets the excluded value',
    { StringNotEqualsIfExists: { 'kms:ViaService': 'ec2.us-east-1.amazonaws.com' } },
    { 'kms:ViaService': 'ec2.us-east-1.amazonaws.com' },
    'DENY',
  ),
  c(
    'should allow when StringLikeIfExists names a key the request lacks',
    { StringLikeIfExists: { 'aws:PrincipalTag/team': 'x*' } },
    {},
    'ALLOW',
  ),
];

const numericCases: ConditionCase[] = [
  c(
    'should allow when NumericEquals meets the same number',
    { NumericEquals: { [MFA_AGE]: '10' } },
    { [MFA_AGE]: '10' },
    'ALLOW',
  ),
  c(
    'should allow when NumericEquals meets the same number written differently',
    { NumericEquals: { [MFA_AGE]: '10' } },
    { [MFA_AGE]: '10.0' },
    'ALLOW',
  ),
  c(
    'should deny when NumericEquals meets another number',
    { NumericEquals: { [MFA_AGE]: '10' } },
    { [MFA_AGE]: '11' },
    'DENY',
  ),
  c(
    'should allow when NumericEquals takes a JSON number',
    { NumericEquals: { [MFA_AGE]: 10 } },
    { [MFA_AGE]: '10' },
    'ALLOW',
  ),
  c(
    'should allow when NumericNotEquals meets another number',
    { NumericNotEquals: { [MFA_AGE]: '10' } },
    { [MFA_AGE]: '5' },
    'ALLOW',
  ),
  c(
    'should deny when NumericNotEquals meets the same number',
    { NumericNotEquals: { [MFA_AGE]: '10' } },
    { [MFA_AGE]: '10' },
    'DENY',
  ),
  c(
    'should allow when NumericNotEquals names a key the request lacks',
    { NumericNotEquals: { [MFA_AGE]: '10' } },
    {},
    'ALLOW',
  ),
  c(
    'should allow when NumericLessThan meets a smaller number',
    { NumericLessThan: { [MFA_AGE]: '3600' } },
    { [MFA_AGE]: '120' },
    'ALLOW',
  ),
  c(
    'should deny when NumericLessThan meets the bound itself',
    { NumericLessThan: { [MFA_AGE]: '3600' } },
    { [MFA_AGE]: '3600' },
    'DENY',
  ),
  c(
    'should deny when NumericLessThan names a key the request lacks',
    { NumericLessThan: { [MFA_AGE]: '3600' } },
    {},
    'DENY',
  ),
  c(
    'should allow when NumericLessThanEquals meets the bound itself',
    { NumericLessThanEquals: { [MFA_AGE]: '3600' } },
    { [MFA_AGE]: '3600' },
    'ALLOW',
  ),
  c(
    'should deny when NumericLessThanEquals meets a larger number',
    { NumericLessThanEquals: { [MFA_AGE]: '3600' } },
    { [MFA_AGE]: '3601' },
    'DENY',
  ),
  c(
    'should allow when NumericGreaterThan meets a larger number',
    { NumericGreaterThan: { [MFA_AGE]: '10' } },
    { [MFA_AGE]: '10.5' },
    'ALLOW',
  ),
  c(
    'should deny when NumericGreaterThan meets the bound itself',
    { NumericGreaterThan: { [MFA_AGE]: '10' } },
    { [MFA_AGE]: '10' },
    'DENY',
  ),
  c(
    'should allow when NumericGreaterThanEquals meets the bound itself',
    { NumericGreaterThanEquals: { [MFA_AGE]: '10' } },
    { [MFA_AGE]: '10' },
    'ALLOW',
  ),
  c(
    'should deny when NumericGreaterThanEquals meets a smaller number',
    { NumericGreaterThanEquals: { [MFA_AGE]: '10' } },
    { [MFA_AGE]: '-3' },
    'DENY',
  ),
  c(
    'should allow when NumericLessThanIfExists names a key the request lacks',
    { NumericLessThanIfExists: { [MFA_AGE]: '3600' } },
    {},
    'ALLOW',
  ),
  c(
    'should deny when NumericLessThanIfExists meets a number over the bound',
    { NumericLessThanIfExists: { [MFA_AGE]: '3600' } },
    { [MFA_AGE]: '7200' },
    'DENY',
  ),
  c(
    'should allow when NumericEquals has several values and one matches',
    { NumericEquals: { [MFA_AGE]: ['1', '2', '3'] } },
    { [MFA_AGE]: '3' },
    'ALLOW',
  ),
];

const dateCases: ConditionCase[] = [
  c(
    'should allow when DateLessThan meets an earlier ISO time',
    { DateLessThan: { [NOW]: '2024-06-01T12:00:00Z' } },
    { [NOW]: '2024-05-31T23:59:59Z' },
    'ALLOW',
  ),
  c(
    'should deny when DateLessThan meets a later ISO time',
    { DateLessThan: { [NOW]: '2024-06-01T12:00:00Z' } },
    { [NOW]: '2024-06-01T12:00:01Z' },
    'DENY',
  ),
  c(
    'should deny when DateLessThan meets the same instant',
    { DateLessThan: { [NOW]: '2024-06-01T12:00:00Z' } },
    { [NOW]: '2024-06-01T12:00:00Z' },
    'DENY',
  ),
  c(
    'should allow when DateLessThanEquals meets the same instant',
    { DateLessThanEquals: { [NOW]: '2024-06-01T12:00:00Z' } },
    { [NOW]: '2024-06-01T12:00:00Z' },
    'ALLOW',
  ),
  c(
    'should deny when DateLessThanEquals meets a later date',
    { DateLessThanEquals: { [NOW]: '2024-06-01' } },
    { [NOW]: '2024-06-02T00:00:00Z' },
    'DENY',
  ),
  c(
    'should allow when DateGreaterThan meets a later ISO time',
    { DateGreaterThan: { [NOW]: '2024-06-01T12:00:00Z' } },
    { [NOW]: '2025-01-01T00:00:00Z' },
    'ALLOW',
  ),
  c(
    'should deny when DateGreaterThan meets the same instant',
    { DateGreaterThan: { [NOW]: '2024-06-01T12:00:00Z' } },
    { [NOW]: '2024-06-01T12:00:00Z' },
    'DENY',
  ),
  c(
    'should deny when DateGreaterThan names a key the request lacks',
    { DateGreaterThan: { [NOW]: '2024-06-01T12:00:00Z' } },
    {},
    'DENY',
  ),
  c(
    'should allow when DateGreaterThanEquals meets the same instant',
    { DateGreaterThanEquals: { [NOW]: '2024-06-01T12:00:00Z' } },
    { [NOW]: '2024-06-01T12:00:00Z' },
    'ALLOW',
  ),
  c(
    'should deny when DateGreaterThanEquals meets an earlier time',
    { DateGreaterThanEquals: { [NOW]: '2024-06-01T12:00:00Z' } },
    { [NOW]: '2024-06-01T11:59:59Z' },
    'DENY',
  ),
  c(
    'should allow when DateEquals in epoch seconds meets the same instant in ISO form',
    { DateEquals: { [NOW]: '1717243200' } },
    { [NOW]: '2024-06-01T12:00:00Z' },
    'ALLOW',
  ),
  c(
    'should allow when DateEquals in ISO form meets the same instant in epoch seconds',
    { DateEquals: { [NOW]: '2024-06-01T12:00:00Z' } },
    { [NOW]: '1717243200' },
    'ALLOW',
  ),
  c(
    'should allow when DateEquals with a zone offset meets the same instant in UTC',
    { DateEquals: { [NOW]: '2024-06-01T14:00:00+02:00' } },
    { [NOW]: '2024-06-01T12:00:00Z' },
    'ALLOW',
  ),
  c(
    'should deny when DateEquals meets another instant',
    { DateEquals: { [NOW]: '2024-06-01T12:00:00Z' } },
    { [NOW]: '2024-06-01T12:00:01Z' },
    'DENY',
  ),
  c(
    'should allow when DateNotEquals meets another instant',
    { DateNotEquals: { [NOW]: '1717243200' } },
    { [NOW]: '2024-06-01T12:00:01Z' },
    'ALLOW',
  ),
  c(
    'should deny when DateNotEquals meets the same instant',
    { DateNotEquals: { [NOW]: '1717243200' } },
    { [NOW]: '2024-06-01T12:00:00Z' },
    'DENY',
  ),
  c(
    'should allow when DateNotEquals names a key the request lacks',
    { DateNotEquals: { [NOW]: '1717243200' } },
    {},
    'ALLOW',
  ),
  c(
    'should allow when DateLessThan in epoch seconds meets an earlier ISO time',
    { DateLessThan: { [NOW]: 1717243200 } },
    { [NOW]: '2024-01-01T00:00:00Z' },
    'ALLOW',
  ),
  c(
    'should allow when DateGreaterThanIfExists names a key the request lacks',
    { DateGreaterThanIfExists: { [NOW]: '2030-01-01' } },
    {},
    'ALLOW',
  ),
  c(
    'should deny when DateGreaterThanIfExists meets an earlier time',
    { DateGreaterThanIfExists: { [NOW]: '2030-01-01' } },
    { [NOW]: '2024-06-01T12:00:00Z' },
    'DENY',
  ),
];

const boolBinaryCases: ConditionCase[] = [
  c(
    'should allow when Bool true meets aws:SecureTransport true',
    { Bool: { [TLS]: 'true' } },
    { [TLS]: 'true' },
    'ALLOW',
  ),
  c(
    'should deny when Bool true meets aws:SecureTransport false',
    { Bool: { [TLS]: 'true' } },
    { [TLS]: 'false' },
    'DENY',
  ),
  c('should deny when Bool names a key the request lacks', { Bool: { [TLS]: 'true' } }, {}, 'DENY'),
  c('should allow when Bool takes a JSON boolean', { Bool: { [TLS]: true } }, { [TLS]: 'true' }, 'ALLOW'),
  c(
    'should allow when BoolIfExists names a key the request lacks',
    { BoolIfExists: { [TLS]: 'true' } },
    {},
    'ALLOW',
  ),
  c(
    'should deny when BoolIfExists meets the other boolean',
    { BoolIfExists: { [TLS]: 'true' } },
    { [TLS]: 'false' },
    'DENY',
  ),
  c(
    'should allow when Bool requires kms:ReEncryptOnSameKey and the request re-encrypts under the same key',
    { Bool: { 'kms:ReEncryptOnSameKey': 'true' } },
    { 'kms:ReEncryptOnSameKey': 'true' },
    'ALLOW',
  ),
  c(
    'should deny when Bool requires kms:ReEncryptOnSameKey and the request changes key',
    { Bool: { 'kms:ReEncryptOnSameKey': 'true' } },
    { 'kms:ReEncryptOnSameKey': 'false' },
    'DENY',
  ),
  c(
    'should allow when BinaryEquals meets the same base64 value',
    { BinaryEquals: { [BLOB]: 'QmluYXJ5VmFsdWU=' } },
    { [BLOB]: 'QmluYXJ5VmFsdWU=' },
    'ALLOW',
  ),
  c(
    'should deny when BinaryEquals meets another value',
    { BinaryEquals: { [BLOB]: 'QmluYXJ5VmFsdWU=' } },
    { [BLOB]: 'T3RoZXJWYWx1ZQ==' },
    'DENY',
  ),
  c(
    'should deny when BinaryEquals names a key the request lacks',
    { BinaryEquals: { [BLOB]: 'QmluYXJ5VmFsdWU=' } },
    {},
    'DENY',
  ),
  c(
    'should allow when BinaryEqualsIfExists names a key the request lacks',
    { BinaryEqualsIfExists: { [BLOB]: 'QmluYXJ5VmFsdWU=' } },
    {},
    'ALLOW',
  ),
];

const ipCases: ConditionCase[] = [
  c(
    'should allow when IpAddress meets an IPv4 address inside the CIDR range',
    { IpAddress: { [IP]: '203.0.113.0/24' } },
    { [IP]: '203.0.113.77' },
    'ALLOW',
  ),
  c(
    'should deny when IpAddress meets an IPv4 address outside the CIDR range',
    { IpAddress: { [IP]: '203.0.113.0/24' } },
    { [IP]: '198.51.100.1' },
    'DENY',
  ),
  c(
    'should allow when IpAddress without a prefix meets that very address (/32)',
    { IpAddress: { [IP]: '192.0.2.10' } },
    { [IP]: '192.0.2.10' },
    'ALLOW',
  ),
  c(
    'should deny when IpAddress without a prefix meets the next address',
    { IpAddress: { [IP]: '192.0.2.10' } },
    { [IP]: '192.0.2.11' },
    'DENY',
  ),
  c(
    'should allow when IpAddress meets an IPv6 address inside the range',
    { IpAddress: { [IP]: '2001:db8:1234:5678::/64' } },
    { [IP]: '2001:db8:1234:5678:abcd::1' },
    'ALLOW',
  ),
  c(
    'should allow when IpAddress compares IPv6 hex digits case-insensitively',
    { IpAddress: { [IP]: '2001:DB8:1234:5678::/64' } },
    { [IP]: '2001:db8:1234:5678::9' },
    'ALLOW',
  ),
  c(
    'should deny when IpAddress meets an IPv6 address outside the range',
    { IpAddress: { [IP]: '2001:db8:1234:5678::/64' } },
    { [IP]: '2001:db8:1234:5679::1' },
    'DENY',
  ),
  c(
    'should deny when an IPv6 range meets an IPv4 address',
    { IpAddress: { [IP]: '::/0' } },
    { [IP]: '203.0.113.1' },
    'DENY',
  ),
  c(
    'should allow when IpAddress lists IPv4 and IPv6 ranges and the IPv6 one matches',
    { IpAddress: { [IP]: ['203.0.113.0/24', '2001:db8::/32'] } },
    { [IP]: '2001:db8::42' },
    'ALLOW',
  ),
  c(
    'should deny when IpAddress names a key the request lacks (a VPC endpoint request)',
    { IpAddress: { [IP]: '0.0.0.0/0' } },
    {},
    'DENY',
  ),
  c(
    'should allow when IpAddressIfExists names a key the request lacks',
    { IpAddressIfExists: { [IP]: '203.0.113.0/24' } },
    {},
    'ALLOW',
  ),
  c(
    'should allow when NotIpAddress meets an address outside the range',
    { NotIpAddress: { [IP]: '10.0.0.0/8' } },
    { [IP]: '11.0.0.1' },
    'ALLOW',
  ),
  c(
    'should deny when NotIpAddress meets an address inside the range',
    { NotIpAddress: { [IP]: '10.0.0.0/8' } },
    { [IP]: '10.200.3.4' },
    'DENY',
  ),
  c(
    'should allow when NotIpAddress names a key the request lacks',
    { NotIpAddress: { [IP]: '10.0.0.0/8' } },
    {},
    'ALLOW',
  ),
  c(
    'should deny when NotIpAddress has several ranges and the second holds the address (NOR)',
    { NotIpAddress: { [IP]: ['10.0.0.0/8', 'fd00::/8'] } },
    { [IP]: 'fd12::1' },
    'DENY',
  ),
  c(
    'should deny when IpAddress meets a request value that is not an address',
    { IpAddress: { [IP]: '0.0.0.0/0' } },
    { [IP]: 'localhost' },
    'DENY',
  ),
];

const arnCases: ConditionCase[] = [
  c(
    'should allow when ArnEquals meets the same ARN',
    { ArnEquals: { [PRINCIPAL]: ALICE } },
    { [PRINCIPAL]: ALICE },
    'ALLOW',
  ),
  c(
    'should allow when ArnEquals takes wildcards as ArnLike does',
    { ArnEquals: { [PRINCIPAL]: 'arn:aws:iam::*:user/*' } },
    { [PRINCIPAL]: ALICE },
    'ALLOW',
  ),
  c(
    'should allow when ArnLike matches a role path',
    { ArnLike: { [PRINCIPAL]: 'arn:aws:iam::111122223333:role/app-*' } },
    { [PRINCIPAL]: 'arn:aws:iam::111122223333:role/app-web' },
    'ALLOW',
  ),
  c(
    'should deny when ArnLike meets another account',
    { ArnLike: { [PRINCIPAL]: 'arn:aws:iam::111122223333:role/*' } },
    { [PRINCIPAL]: 'arn:aws:iam::444455556666:role/app' },
    'DENY',
  ),
  c(
    'should deny when ArnLike compares with a case difference',
    { ArnLike: { [PRINCIPAL]: 'arn:aws:iam::111122223333:user/Alice' } },
    { [PRINCIPAL]: ALICE },
    'DENY',
  ),
  c(
    'should deny when ArnLike meets a value that is not an ARN',
    { ArnLike: { [PRINCIPAL]: 'arn:*:*:*:*:*' } },
    { [PRINCIPAL]: 'alice' },
    'DENY',
  ),
  c(
    'should allow when ArnLike has wildcards in the region and resource parts',
    { ArnLike: { 'aws:SourceArn': 'arn:aws:kms:*:111122223333:key/*' } },
    { 'aws:SourceArn': KEY },
    'ALLOW',
  ),
  c(
    'should deny when ArnLike meets an ARN of another service',
    { ArnLike: { 'aws:SourceArn': 'arn:aws:kms:*:111122223333:key/*' } },
    { 'aws:SourceArn': 'arn:aws:sns:us-east-1:111122223333:key/x' },
    'DENY',
  ),
  c('should deny when ArnLike names a key the request lacks', { ArnLike: { [PRINCIPAL]: '*' } }, {}, 'DENY'),
  c(
    'should allow when ArnLikeIfExists names a key the request lacks',
    { ArnLikeIfExists: { [PRINCIPAL]: 'arn:aws:iam::*:role/*' } },
    {},
    'ALLOW',
  ),
  c(
    'should allow when ArnNotEquals meets another ARN',
    { ArnNotEquals: { [PRINCIPAL]: 'arn:aws:iam::111122223333:user/bob' } },
    { [PRINCIPAL]: ALICE },
    'ALLOW',
  ),
  c(
    'should deny when ArnNotEquals meets the same ARN',
    { ArnNotEquals: { [PRINCIPAL]: ALICE } },
    { [PRINCIPAL]: ALICE },
    'DENY',
  ),
  c(
    'should deny when ArnNotLike matches the request ARN',
    { ArnNotLike: { [PRINCIPAL]: 'arn:aws:iam::111122223333:*' } },
    { [PRINCIPAL]: ALICE },
    'DENY',
  ),
  c(
    'should allow when ArnNotLike names a key the request lacks',
    { ArnNotLike: { [PRINCIPAL]: '*' } },
    {},
    'ALLOW',
  ),
];

const nullCases: ConditionCase[] = [
  c(
    'should allow when Null true meets a request without the key',
    { Null: { 'aws:PrincipalTag/team': 'true' } },
    {},
    'ALLOW',
  ),
  c(
    'should deny when Null true meets a request with the key',
    { Null: { 'aws:PrincipalTag/team': 'true' } },
    { 'aws:PrincipalTag/team': 'blue' },
    'DENY',
  ),
  c(
    'should allow when Null false meets a request with the key',
    { Null: { 'aws:PrincipalTag/team': 'false' } },
    { 'aws:PrincipalTag/team': 'blue' },
    'ALLOW',
  ),
  c(
    'should deny when Null false meets a request without the key',
    { Null: { 'aws:PrincipalTag/team': false } },
    {},
    'DENY',
  ),
  c(
    'should allow when Null true meets an empty multivalued key',
    { Null: { [EC_KEYS]: 'true' } },
    { [EC_KEYS]: [] },
    'ALLOW',
  ),
];

const multivaluedCases: ConditionCase[] = [
  c(
    'should allow when ForAnyValue:StringEquals finds one context key in the list',
    { 'ForAnyValue:StringEquals': { [EC_KEYS]: ['Department', 'Project'] } },
    { [EC_KEYS]: ['Owner', 'Project'] },
    'ALLOW',
  ),
  c(
    'should deny when ForAnyValue:StringEquals finds no context key in the list',
    { 'ForAnyValue:StringEquals': { [EC_KEYS]: ['Department', 'Project'] } },
    { [EC_KEYS]: ['Owner'] },
    'DENY',
  ),
  c(
    'should deny when ForAnyValue:StringEquals meets no encryption context',
    { 'ForAnyValue:StringEquals': { [EC_KEYS]: ['Department'] } },
    {},
    'DENY',
  ),
  c(
    'should deny when ForAnyValue:StringEquals meets an empty key list',
    { 'ForAnyValue:StringEquals': { [EC_KEYS]: ['Department'] } },
    { [EC_KEYS]: [] },
    'DENY',
  ),
  c(
    'should deny when ForAnyValue:StringEquals compares context keys case-sensitively',
    { 'ForAnyValue:StringEquals': { [EC_KEYS]: ['Department'] } },
    { [EC_KEYS]: ['department'] },
    'DENY',
  ),
  c(
    'should allow when ForAnyValue:StringLike matches one context key',
    { 'ForAnyValue:StringLike': { [EC_KEYS]: 'aws:*' } },
    { [EC_KEYS]: ['Owner', 'aws:s3:arn'] },
    'ALLOW',
  ),
  c(
    'should allow when ForAllValues:StringEquals finds every context key in the list',
    { 'ForAllValues:StringEquals': { [EC_KEYS]: ['Department', 'Project'] } },
    { [EC_KEYS]: ['Project', 'Department'] },
    'ALLOW',
  ),
  c(
    'should deny when ForAllValues:StringEquals meets one context key outside the list',
    { 'ForAllValues:StringEquals': { [EC_KEYS]: ['Department', 'Project'] } },
    { [EC_KEYS]: ['Department', 'Owner'] },
    'DENY',
  ),
  c(
    'should allow when ForAllValues:StringEquals meets no encryption context (vacuously true)',
    { 'ForAllValues:StringEquals': { [EC_KEYS]: ['Department'] } },
    {},
    'ALLOW',
  ),
  c(
    'should allow when ForAllValues:StringEquals meets an empty key list (vacuously true)',
    { 'ForAllValues:StringEquals': { [EC_KEYS]: ['Department'] } },
    { [EC_KEYS]: [] },
    'ALLOW',
  ),
  c(
    'should deny when ForAllValues is paired with Null false and there is no encryption context',
    { 'ForAllValues:StringEquals': { [EC_KEYS]: ['Department'] }, Null: { [EC_KEYS]: 'false' } },
    {},
    'DENY',
  ),
  c(
    'should allow when ForAllValues is paired with Null false and every key is in the list',
    { 'ForAllValues:StringEquals': { [EC_KEYS]: ['Department'] }, Null: { [EC_KEYS]: 'false' } },
    { [EC_KEYS]: ['Department'] },
    'ALLOW',
  ),
  c(
    'should allow when ForAllValues:StringNotEquals meets no forbidden context key',
    { 'ForAllValues:StringNotEquals': { [EC_KEYS]: ['Secret', 'Admin'] } },
    { [EC_KEYS]: ['Department', 'Project'] },
    'ALLOW',
  ),
  c(
    'should deny when ForAllValues:StringNotEquals meets a forbidden context key',
    { 'ForAllValues:StringNotEquals': { [EC_KEYS]: ['Secret', 'Admin'] } },
    { [EC_KEYS]: ['Department', 'Admin'] },
    'DENY',
  ),
  c(
    'should allow when ForAnyValue:StringNotEquals meets one key outside the list',
    { 'ForAnyValue:StringNotEquals': { [EC_KEYS]: ['Department'] } },
    { [EC_KEYS]: ['Department', 'Owner'] },
    'ALLOW',
  ),
  c(
    'should deny when ForAnyValue:StringNotEquals meets no encryption context',
    { 'ForAnyValue:StringNotEquals': { [EC_KEYS]: ['Department'] } },
    {},
    'DENY',
  ),
  c(
    'should allow when ForAllValues:StringEquals on kms:GrantOperations meets a subset of the permitted operations',
    { 'ForAllValues:StringEquals': { 'kms:GrantOperations': ['Decrypt', 'Encrypt', 'GenerateDataKey'] } },
    { 'kms:GrantOperations': ['Decrypt', 'GenerateDataKey'] },
    'ALLOW',
  ),
  c(
    'should deny when ForAllValues:StringEquals on kms:GrantOperations meets an operation outside the list',
    { 'ForAllValues:StringEquals': { 'kms:GrantOperations': ['Decrypt', 'Encrypt'] } },
    { 'kms:GrantOperations': ['Decrypt', 'CreateGrant'] },
    'DENY',
  ),
  c(
    'should deny when ForAnyValue:StringEquals on kms:GrantOperations meets none of the listed operations',
    { 'ForAnyValue:StringEquals': { 'kms:GrantOperations': ['CreateGrant', 'RetireGrant'] } },
    { 'kms:GrantOperations': ['Decrypt'] },
    'DENY',
  ),
  c(
    'should allow when a plain operator meets a multivalued key whose any value matches',
    { StringEquals: { [EC_KEYS]: 'Project' } },
    { [EC_KEYS]: ['Department', 'Project'] },
    'ALLOW',
  ),
];

const combinationCases: ConditionCase[] = [
  c(
    'should allow when two keys under one operator both hold (AND)',
    {
      StringEquals: { 'kms:CallerAccount': '111122223333', 'kms:ViaService': 'ec2.us-east-1.amazonaws.com' },
    },
    { 'kms:CallerAccount': '111122223333', 'kms:ViaService': 'ec2.us-east-1.amazonaws.com' },
    'ALLOW',
  ),
  c(
    'should deny when one of two keys under one operator fails (AND)',
    {
      StringEquals: { 'kms:CallerAccount': '111122223333', 'kms:ViaService': 'ec2.us-east-1.amazonaws.com' },
    },
    { 'kms:CallerAccount': '111122223333', 'kms:ViaService': 'rds.us-east-1.amazonaws.com' },
    'DENY',
  ),
  c(
    'should allow when every operator of the block holds (AND)',
    {
      StringEquals: { 'kms:EncryptionAlgorithm': 'SYMMETRIC_DEFAULT' },
      IpAddress: { [IP]: '203.0.113.0/24' },
      Bool: { [TLS]: 'true' },
    },
    { 'kms:EncryptionAlgorithm': 'SYMMETRIC_DEFAULT', [IP]: '203.0.113.9', [TLS]: 'true' },
    'ALLOW',
  ),
  c(
    'should deny when one operator of the block fails (AND)',
    {
      StringEquals: { 'kms:EncryptionAlgorithm': 'SYMMETRIC_DEFAULT' },
      IpAddress: { [IP]: '203.0.113.0/24' },
      Bool: { [TLS]: 'true' },
    },
    { 'kms:EncryptionAlgorithm': 'SYMMETRIC_DEFAULT', [IP]: '203.0.113.9', [TLS]: 'false' },
    'DENY',
  ),
];

const conditionKeyCases: ConditionCase[] = [
  c(
    'should allow when kms:EncryptionContext:<k> is written in another case in the policy',
    { StringEquals: { 'kms:encryptioncontext:DEPARTMENT': 'Finance' } },
    { [EC_DEPT]: 'Finance' },
    'ALLOW',
  ),
  c(
    'should allow when kms:EncryptionContext:<k> arrives in another case in the request',
    { StringEquals: { [EC_DEPT]: 'Finance' } },
    { 'KMS:ENCRYPTIONCONTEXT:department': 'Finance' },
    'ALLOW',
  ),
  c(
    'should deny when the kms:EncryptionContext:<k> value differs only in case',
    { StringEquals: { 'kms:encryptioncontext:department': 'Finance' } },
    { [EC_DEPT]: 'FINANCE' },
    'DENY',
  ),
  c(
    'should deny when the request has another encryption context pair',
    { StringEquals: { [EC_DEPT]: 'Finance' } },
    { 'kms:EncryptionContext:Project': 'Finance' },
    'DENY',
  ),
  c(
    'should allow when kms:EncryptionAlgorithm is the permitted one',
    { StringEquals: { 'kms:EncryptionAlgorithm': 'SYMMETRIC_DEFAULT' } },
    { 'kms:EncryptionAlgorithm': 'SYMMETRIC_DEFAULT' },
    'ALLOW',
  ),
  c(
    'should deny when kms:EncryptionAlgorithm is another one',
    { StringEquals: { 'kms:EncryptionAlgorithm': 'SYMMETRIC_DEFAULT' } },
    { 'kms:EncryptionAlgorithm': 'RSAES_OAEP_SHA_256' },
    'DENY',
  ),
  c(
    'should allow when kms:ViaService names the calling service',
    { StringEquals: { 'kms:ViaService': ['ec2.us-east-1.amazonaws.com', 'rds.us-east-1.amazonaws.com'] } },
    { 'kms:ViaService': 'rds.us-east-1.amazonaws.com' },
    'ALLOW',
  ),
  c(
    'should deny when kms:ViaService is required and the caller calls directly',
    { StringEquals: { 'kms:ViaService': 'ec2.us-east-1.amazonaws.com' } },
    {},
    'DENY',
  ),
  c(
    'should allow when aws:PrincipalTag/<k> matches',
    { StringEquals: { 'aws:PrincipalTag/team': 'payments' } },
    { 'aws:PrincipalTag/team': 'payments' },
    'ALLOW',
  ),
  c(
    'should deny when aws:PrincipalTag/<k> is another tag',
    { StringEquals: { 'aws:PrincipalTag/team': 'payments' } },
    { 'aws:PrincipalTag/project': 'payments' },
    'DENY',
  ),
  c(
    'should allow when aws:ResourceTag/<k> matches',
    { StringEquals: { 'aws:ResourceTag/env': 'prod' } },
    { 'aws:ResourceTag/env': 'prod' },
    'ALLOW',
  ),
  c(
    'should deny when aws:ResourceTag/<k> differs',
    { StringEquals: { 'aws:ResourceTag/env': 'prod' } },
    { 'aws:ResourceTag/env': 'dev' },
    'DENY',
  ),
  c(
    'should allow when aws:RequestTag/<k> is like the pattern',
    { StringLike: { 'aws:RequestTag/cost-center': 'cc-*' } },
    { 'aws:RequestTag/cost-center': 'cc-1234' },
    'ALLOW',
  ),
  c(
    'should deny when aws:RequestTag/<k> is absent',
    { StringLike: { 'aws:RequestTag/cost-center': 'cc-*' } },
    { 'aws:ResourceTag/cost-center': 'cc-1234' },
    'DENY',
  ),
  c(
    'should allow when the condition key name is written in another case',
    { IpAddress: { 'AWS:SOURCEIP': '203.0.113.0/24' } },
    { [IP]: '203.0.113.1' },
    'ALLOW',
  ),
];

const variableCases: ConditionCase[] = [
  c(
    'should allow when ${aws:username} resolves to the tag value',
    { StringEquals: { 'aws:ResourceTag/owner': '${aws:username}' } },
    { 'aws:username': 'alice', 'aws:ResourceTag/owner': 'alice' },
    'ALLOW',
  ),
  c(
    'should deny when ${aws:username} resolves to another value',
    { StringEquals: { 'aws:ResourceTag/owner': '${aws:username}' } },
    { 'aws:username': 'alice', 'aws:ResourceTag/owner': 'bob' },
    'DENY',
  ),
  c(
    'should deny when ${aws:username} is missing from the request',
    { StringEquals: { 'aws:ResourceTag/owner': '${aws:username}' } },
    { 'aws:ResourceTag/owner': 'alice' },
    'DENY',
  ),
  c(
    'should allow when ${aws:PrincipalTag/team} resolves to the resource tag',
    { StringEquals: { 'aws:ResourceTag/team': '${aws:PrincipalTag/team}' } },
    { 'aws:PrincipalTag/team': 'blue', 'aws:ResourceTag/team': 'blue' },
    'ALLOW',
  ),
  c(
    'should allow when a variable resolves inside a longer value',
    { StringEquals: { [EC_DEPT]: 'dept-${aws:PrincipalTag/team}' } },
    { 'aws:PrincipalTag/team': 'blue', [EC_DEPT]: 'dept-blue' },
    'ALLOW',
  ),
  c(
    "should allow when the default of ${k, 'x'} stands in for a missing key",
    { StringEquals: { 'aws:ResourceTag/team': "${aws:PrincipalTag/team, 'none'}" } },
    { 'aws:ResourceTag/team': 'none' },
    'ALLOW',
  ),
  c(
    "should deny when the default of ${k, 'x'} is not used because the key is present",
    { StringEquals: { 'aws:ResourceTag/team': "${aws:PrincipalTag/team, 'none'}" } },
    { 'aws:PrincipalTag/team': 'blue', 'aws:ResourceTag/team': 'none' },
    'DENY',
  ),
  c(
    'should allow when ${*} stands for a literal star',
    { StringLike: { 'aws:ResourceTag/name': 'a${*}' } },
    { 'aws:ResourceTag/name': 'a*' },
    'ALLOW',
  ),
  c(
    'should deny when ${*} is not a wildcard',
    { StringLike: { 'aws:ResourceTag/name': 'a${*}' } },
    { 'aws:ResourceTag/name': 'ab' },
    'DENY',
  ),
  c(
    'should allow when ${?} stands for a literal question mark',
    { StringEquals: { 'aws:ResourceTag/name': 'why${?}' } },
    { 'aws:ResourceTag/name': 'why?' },
    'ALLOW',
  ),
  c(
    'should allow when ${$} stands for a literal dollar sign',
    { StringEquals: { 'aws:ResourceTag/price': '${$}5' } },
    { 'aws:ResourceTag/price': '$5' },
    'ALLOW',
  ),
  c(
    "should deny when a resolved value's own * is not a wildcard in StringLike",
    { StringLike: { 'aws:ResourceTag/owner': '${aws:username}' } },
    { 'aws:username': '*', 'aws:ResourceTag/owner': 'bob' },
    'DENY',
  ),
  c(
    'should allow when a variable sits in a StringLike pattern with wildcards',
    { StringLike: { [PRINCIPAL]: 'arn:aws:iam::*:user/${aws:username}' } },
    { 'aws:username': 'alice', [PRINCIPAL]: ALICE },
    'ALLOW',
  ),
  c(
    'should allow when a variable resolves in an ArnLike value',
    { ArnLike: { [PRINCIPAL]: 'arn:aws:iam::${kms:CallerAccount}:user/*' } },
    { 'kms:CallerAccount': '111122223333', [PRINCIPAL]: ALICE },
    'ALLOW',
  ),
  c(
    'should allow when a variable resolves in StringEqualsIgnoreCase',
    { StringEqualsIgnoreCase: { 'aws:ResourceTag/owner': '${aws:username}' } },
    { 'aws:username': 'alice', 'aws:ResourceTag/owner': 'ALICE' },
    'ALLOW',
  ),
  c(
    'should deny when a variable names a multivalued key',
    { StringEquals: { 'aws:ResourceTag/k': '${kms:EncryptionContextKeys}' } },
    { [EC_KEYS]: ['a', 'b'], 'aws:ResourceTag/k': 'a' },
    'DENY',
  ),
  c(
    'should allow when the variable name is written in another case',
    { StringEquals: { 'aws:ResourceTag/owner': '${AWS:UserName}' } },
    { 'aws:username': 'alice', 'aws:ResourceTag/owner': 'alice' },
    'ALLOW',
  ),
  {
    name: 'should allow when ${aws:PrincipalTag/k} in Resource resolves to the requested key',
    resource: 'arn:aws:kms:us-east-1:111122223333:key/${aws:PrincipalTag/key-id}',
    context: { 'aws:PrincipalTag/key-id': '1234abcd-12ab-34cd-56ef-1234567890ab' },
    effect: 'ALLOW',
    reason: ALLOWED,
  },
  {
    name: 'should deny when ${aws:PrincipalTag/k} in Resource resolves to another key',
    resource: 'arn:aws:kms:us-east-1:111122223333:key/${aws:PrincipalTag/key-id}',
    context: { 'aws:PrincipalTag/key-id': '0987dcba-09fe-87dc-65ba-ab0987654321' },
    effect: 'DENY',
    reason: DENIED,
  },
  {
    name: 'should deny when the variable in Resource is missing from the request',
    resource: 'arn:aws:kms:us-east-1:111122223333:key/${aws:PrincipalTag/key-id}',
    context: {},
    effect: 'DENY',
    reason: DENIED,
  },
  {
    name: 'should allow when a Resource list holds the requested key beside a variable that is missing',
    resource: ['arn:aws:kms:us-east-1:111122223333:key/${aws:PrincipalTag/key-id}', KEY],
    context: {},
    effect: 'ALLOW',
    reason: ALLOWED,
  },
  {
    name: 'should deny when Version 2008-10-17 keeps ${aws:username} literal and the request has the user name',
    version: '2008-10-17',
    condition: { StringEquals: { 'aws:ResourceTag/owner': '${aws:username}' } },
    context: { 'aws:username': 'alice', 'aws:ResourceTag/owner': 'alice' },
    effect: 'DENY',
    reason: DENIED,
  },
  {
    name: 'should allow when Version 2008-10-17 keeps ${aws:username} literal and the request has that text',
    version: '2008-10-17',
    condition: { StringEquals: { 'aws:ResourceTag/owner': '${aws:username}' } },
    context: { 'aws:username': 'alice', 'aws:ResourceTag/owner': '${aws:username}' },
    effect: 'ALLOW',
    reason: ALLOWED,
  },
  {
    name: 'should deny when Version 2008-10-17 keeps a Resource variable literal',
    version: '2008-10-17',
    resource: 'arn:aws:kms:us-east-1:111122223333:key/${aws:PrincipalTag/key-id}',
    context: { 'aws:PrincipalTag/key-id': '1234abcd-12ab-34cd-56ef-1234567890ab' },
    effect: 'DENY',
    reason: DENIED,
  },
  {
    name: 'should deny when a Resource naming another key meets the request',
    resource: OTHER_KEY,
    context: {},
    effect: 'DENY',
    reason: DENIED,
  },
];

const CASES: readonly ConditionCase[] = [
  ...stringCases,
  ...numericCases,
  ...dateCases,
  ...boolBinaryCases,
  ...ipCases,
  ...arnCases,
  ...nullCases,
  ...multivaluedCases,
  ...combinationCases,
  ...conditionKeyCases,
  ...variableCases,
];

describe('evaluate (conditions table)', () => {
  it('should hold at least 150 condition cases with unique names when the table is built', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(150);
    expect(new Set(CASES.map((x) => x.name)).size).toBe(CASES.length);
  });

  it.each(CASES)('$name', ({ condition, resource, version, context, effect, reason }) => {
    const statement: Record<string, unknown> = {
      Sid: 'UnderTest',
      Effect: 'Allow',
      Principal: { AWS: ALICE },
      Action: 'kms:Decrypt',
      Resource: resource ?? '*',
    };
    if (condition) statement['Condition'] = condition;
    const keyPolicy = compilePolicy(
      JSON.stringify({ Version: version ?? '2012-10-17', Statement: [statement] }),
      'key',
    );
    const decision = evaluate(
      { keyPolicy, identityPolicies: [], grants: [] },
      { principalArn: ALICE, action: 'kms:Decrypt', resource: KEY, context },
    );
    expect(decision).toEqual({
      effect,
      reason,
      conditional:
        condition !== undefined ||
        (version !== '2008-10-17' && JSON.stringify(resource ?? '').includes('${')),
    });
  });
});
