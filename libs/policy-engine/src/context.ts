/** A condition key's value in a request: one string, or several for a multivalued key (kms:EncryptionContextKeys). */
export type ContextValue = string | readonly string[];

/** What a request asks and everything the conditions may look at. */
export interface EvaluationRequest {
  /** `arn:aws:iam::<account>:user/<name>` (or `:root`, `:role/<name>`). */
  principalArn: string;
  /** `kms:Decrypt` and so on. */
  action: string;
  /** The key ARN, or `*` for actions without a resource (CreateKey, ListKeys, ListAliases, GenerateRandom). */
  resource: string;
  /** Condition keys (names are case-insensitive, as AWS treats them) and their values. */
  context: Readonly<Record<string, ContextValue>>;
  /** The request's encryption context, for grant constraints. */
  encryptionContext?: Readonly<Record<string, string>>;
}

/** A request with its condition keys looked up case-insensitively. */
export class PreparedRequest {
  private readonly keys = new Map<string, readonly string[]>();
  readonly principalAccount: string | undefined;
  readonly resourceAccount: string | undefined;

  constructor(readonly request: EvaluationRequest) {
    for (const [k, v] of Object.entries(request.context)) {
      this.keys.set(k.toLowerCase(), typeof v === 'string' ? [v] : v);
    }
    this.principalAccount = accountOfPrincipal(request.principalArn);
    this.resourceAccount = /^arn:[^:]+:[^:]+:[^:]*:(\d{12}):/.exec(request.resource)?.[1];
  }

  /** The values of a condition key (lower-case name), or undefined when the request does not carry it. */
  values(lowerKey: string): readonly string[] | undefined {
    const v = this.keys.get(lowerKey);
    return v === undefined || v.length === 0 ? undefined : v;
  }
}

/** The account of an IAM principal ARN (`arn:aws:iam::<account>:...`), or undefined. */
export function accountOfPrincipal(arn: string): string | undefined {
  return /^arn:[^:]+:iam::(\d{12}):/.exec(arn)?.[1];
}
