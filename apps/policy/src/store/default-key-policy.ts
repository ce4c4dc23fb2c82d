/**
 * The key policy AWS gives a key created without one: the key's account may use the key through its identity
 * policies ("Enable IAM User Permissions"). Byte for byte what GetKeyPolicy returns for such a key.
 */
export function defaultKeyPolicy(accountId: string): string {
  return JSON.stringify(
    {
      Version: '2012-10-17',
      Id: 'key-default-1',
      Statement: [
        {
          Sid: 'Enable IAM User Permissions',
          Effect: 'Allow',
          Principal: { AWS: `arn:aws:iam::${accountId}:root` },
          Action: 'kms:*',
          Resource: '*',
        },
      ],
    },
    null,
    2,
  );
}
