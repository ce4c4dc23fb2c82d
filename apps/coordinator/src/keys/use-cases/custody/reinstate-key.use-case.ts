import { Inject, Injectable } from '@nestjs/common';
import {
  ErrorCodes,
  type GetParametersForReinstateReply,
  GetParametersForReinstateRequest,
  HsmActions,
  type HsmCreateImportKeyReply,
  type HsmReinstateReply,
  type HsmReinstateRequest,
  KmsError,
  type ReinstateKeyReply,
  ReinstateKeyRequest,
  fromBase64,
} from '@symbolon/contracts';
import { deserializeEkt } from '@symbolon/formats';
import { logger } from '@symbolon/platform';
import { randomUUID } from 'node:crypto';

import { CLOCK, type Clock } from '../../../clock.js';
import { type DomainRoute, HsmRouter } from '../../../routing/hsm-router.js';
import { changeKeyWith } from '../../key-change.js';
import { KeyCustodyRepository } from '../../key-custody.repository.js';
import { KeyLifecycleRepository } from '../../key-lifecycle.repository.js';
import { KeyResolver } from '../../key-resolver.js';
import { authorizeOwnKey } from '../../own-key.js';

/** How long an import key serves, as AWS's import parameters. */
export const IMPORT_PARAMETERS_VALID_MS = 24 * 60 * 60 * 1000;

/** What an import token carries (base64url JSON): the node that holds the import key, its id, the key, the expiry. */
interface ImportToken {
  n: string;
  i: string;
  k: string;
  t: number;
}

export function encodeImportToken(t: ImportToken): string {
  return Buffer.from(JSON.stringify(t), 'utf8').toString('base64url');
}

export function decodeImportToken(text: string): ImportToken {
  const invalid = () => new KmsError(ErrorCodes.INVALID_IMPORT_TOKEN, 'The import token is not valid.');
  let t: unknown;
  try {
    t = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  const o = t as Partial<ImportToken> | null;
  if (
    typeof o !== 'object' ||
    o === null ||
    typeof o.n !== 'string' ||
    typeof o.i !== 'string' ||
    typeof o.k !== 'string' ||
    typeof o.t !== 'number'
  ) {
    throw invalid();
  }
  return { n: o.n, i: o.i, k: o.k, t: o.t };
}

/**
 * ReinstateKey and its parameters. The safe path: a token makes an RSA-3072 import key; the owner's CLI unwraps its
 * package with its private key and wraps each version again for the import key; the token unwraps them, checks each
 * against the version's check value (so no other key material is accepted), and new EKTs replace the check values.
 * The literal form (the owner's private key in the request) is accepted only when the caller asked for it.
 */
@Injectable()
export class ReinstateKeyUseCase {
  constructor(
    @Inject(KeyResolver) private readonly resolver: KeyResolver,
    @Inject(KeyLifecycleRepository) private readonly lifecycle: KeyLifecycleRepository,
    @Inject(KeyCustodyRepository) private readonly custody: KeyCustodyRepository,
    @Inject(HsmRouter) private readonly hsm: HsmRouter,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async parameters(req: GetParametersForReinstateRequest): Promise<GetParametersForReinstateReply> {
    const stored = await authorizeOwnKey(this.resolver, req, req.keyId, 'kms:ReinstateKey');
    KeyResolver.requireState(stored, ['Suspended']);
    const importKeyId = randomUUID();
    const { nodeId, reply } = await this.hsm
      .forKey(stored.key)
      .callAny<HsmCreateImportKeyReply>(HsmActions.createImportKey, {
        requestId: req.requestId,
        importKeyId,
      });
    const validTo = new Date(this.clock.now().getTime() + IMPORT_PARAMETERS_VALID_MS);
    return {
      keyArn: stored.key.arn,
      publicKey: reply.publicKey,
      importToken: encodeImportToken({ n: nodeId, i: importKeyId, k: stored.key.arn, t: validTo.getTime() }),
      parametersValidTo: validTo.toISOString(),
    };
  }

  async execute(req: ReinstateKeyRequest): Promise<ReinstateKeyReply> {
    const stored = await authorizeOwnKey(this.resolver, req, req.keyId, 'kms:ReinstateKey');
    KeyResolver.requireState(stored, ['Suspended']);
    const { key } = stored;
    const versions = await this.lifecycle.versionsOf(key.id);
    const expected = versions.map((v) => v.version).join(',');
    if (
      req.wrapped.length !== req.versions.length ||
      [...req.versions].sort((a, b) => a - b).join(',') !== expected
    ) {
      throw new KmsError(
        ErrorCodes.VALIDATION,
        `The package must hold every version of ${key.arn} once (versions ${expected}), each with its key material.`,
      );
    }
    const checkOf = new Map(versions.map((v) => [v.version, v.suspendCheck ?? '']));
    const payload: HsmReinstateRequest = {
      requestId: req.requestId,
      keyArn: key.arn,
      versions: req.versions,
      wrapped: req.wrapped,
      checks: req.versions.map((v) => checkOf.get(v)!),
    };
    const route = this.hsm.forKey(key);
    let reply: HsmReinstateReply;
    if (req.importToken !== undefined) {
      const token = decodeImportToken(req.importToken);
      if (token.k !== key.arn) {
        throw new KmsError(ErrorCodes.INVALID_IMPORT_TOKEN, `The import token was not made for ${key.arn}.`);
      }
      if (token.t <= this.clock.now().getTime()) {
        await this.discardImportKey(route, token, req.requestId);
        throw new KmsError(ErrorCodes.EXPIRED_IMPORT_TOKEN, 'The import token has expired.');
      }
      reply = await route.callNode<HsmReinstateReply>(token.n, HsmActions.reinstate, {
        ...payload,
        importKeyId: token.i,
      });
    } else if (req.privateKey !== undefined) {
      reply = await route.call<HsmReinstateReply>(HsmActions.reinstate, {
        ...payload,
        privateKey: req.privateKey,
      });
    } else {
      throw new KmsError(ErrorCodes.VALIDATION, 'ImportToken is required.');
    }
    const ekts = new Map(
      req.versions.map((v, i) => {
        const ekt = reply.ekts[i]!;
        return [v, { ekt, domainGeneration: deserializeEkt(fromBase64(ekt)).domainGeneration }] as const;
      }),
    );
    await changeKeyWith(this.resolver, stored, ['Suspended'], () => this.custody.reinstate(key.id, ekts));
    return { keyArn: key.arn, keyState: 'Enabled' };
  }

  private async discardImportKey(route: DomainRoute, token: ImportToken, requestId: string): Promise<void> {
    try {
      await route.callNode(token.n, HsmActions.destroyImportKey, { requestId, importKeyId: token.i });
    } catch (e) {
      logger.warn({ err: (e as Error).message }, 'expired import key not destroyed');
    }
  }
}
