/**
 * INSECURE - FOR TESTS ONLY.
 *
 * A stand-in for the coordinator's HsmRouter and its DomainRoute (`in(domainId)` and `forKey(key)` answer the router
 * itself, with the domain recorded in each call; callAny, callNode and callEach are `call` on its one node) that does
 * in process what an
 * hsm node does: EKTs are real libs/formats EKTs around random bytes, and the AES-256-GCM key of a key version is
 * SHA-256 of its EKT bytes. So encrypt -> decrypt round-trips, and a wrong AAD, IV, tag or EKT fails the tag check
 * (INVALID_CIPHERTEXT), as on a token. Wrap it with `asFake<HsmRouter>(router)` in a spec.
 */
import { ErrorCodes, HsmActions, KmsError } from '@symbolon/contracts';
import { EnvelopeError, deserializeEkt, serializeEkt } from '@symbolon/formats';
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

const TAG_LENGTH = 16;
const FAKE_NODE_ID = 'fake-node';
/** The domain newKeyRow places keys in. */
export const FAKE_DOMAIN_ID = 'cks-0000000000000fake';
const IV_LENGTH = 12;

export interface HsmCall {
  action: string;
  payload: Record<string, unknown>;
  /** The domain the call was routed in (in() / forKey()); absent for a call on the router itself. */
  domainId?: string;
}

export class FakeHsmRouter {
  readonly calls: HsmCall[];
  private failure?: unknown;

  constructor(
    private readonly domainGeneration = 1,
    /** The domain this view routes in (see in()); the router itself stands for the fake domain. */
    readonly domainId: string = FAKE_DOMAIN_ID,
    private readonly root?: FakeHsmRouter,
  ) {
    this.calls = root?.calls ?? [];
  }

  /** The router routing in `domainId`: same node, same call log, each call recording the domain. */
  in(domainId: string): FakeHsmRouter {
    return new FakeHsmRouter(this.domainGeneration, domainId, this.root ?? this);
  }

  forKey(key: { domainId: string | null }): FakeHsmRouter {
    return this.in(key.domainId ?? FAKE_DOMAIN_ID);
  }

  /** The next call throws `error` (once), as a failing node would. */
  failNext(error: unknown): void {
    (this.root ?? this).failure = error;
  }

  async call<TReply>(action: string, payload: object): Promise<TReply> {
    const root = this.root ?? this;
    const p = structuredClone(payload) as Record<string, unknown>;
    root.calls.push({ action, payload: p, ...(this.root !== undefined ? { domainId: this.domainId } : {}) });
    if (root.failure !== undefined) {
      const e = root.failure;
      root.failure = undefined;
      throw e;
    }
    return root.answer(action, p) as TReply;
  }

  /** One node stands for the whole domain: every form of call is `call`. */
  async callAny<TReply>(action: string, payload: object): Promise<{ nodeId: string; reply: TReply }> {
    return { nodeId: FAKE_NODE_ID, reply: await this.call<TReply>(action, payload) };
  }

  callNode<TReply>(_nodeId: string, action: string, payload: object): Promise<TReply> {
    return this.call<TReply>(action, payload);
  }

  async callSigner<TReply>(action: string, payload: object): Promise<{ nodeId: string; reply: TReply }> {
    return { nodeId: FAKE_NODE_ID, reply: await this.call<TReply>(action, payload) };
  }

  members(): string[] {
    return [FAKE_NODE_ID];
  }

  isMember(nodeId: unknown): nodeId is string {
    return nodeId === FAKE_NODE_ID;
  }

  callAnyNode<TReply>(_nodeId: string, action: string, payload: object): Promise<TReply> {
    return this.call<TReply>(action, payload);
  }

  async callEach<TReply>(action: string, payload: object): Promise<TReply[]> {
    return [await this.call<TReply>(action, payload)];
  }

  private answer(action: string, p: Record<string, unknown>): object {
    switch (action) {
      case HsmActions.generateKey: {
        const ekt = serializeEkt({ domainGeneration: this.domainGeneration, wrapped: randomBytes(40) });
        return { ekt: b64(ekt) };
      }
      case HsmActions.encrypt: {
        const { iv, sealed } = seal(keyOf(p['ekt']), bytes(p['plaintext']), bytes(p['aad']));
        return { iv: b64(iv), sealed: b64(sealed) };
      }
      case HsmActions.generateDataKey: {
        const dataKey = randomBytes(Number(p['length']));
        const { iv, sealed } = seal(keyOf(p['ekt']), dataKey, bytes(p['aad']));
        return { plaintext: b64(dataKey), iv: b64(iv), sealed: b64(sealed) };
      }
      case HsmActions.decrypt:
        return { plaintext: b64(open(keyOf(p['ekt']), bytes(p['iv']), bytes(p['sealed']), bytes(p['aad']))) };
      case HsmActions.generateRandom:
        return { random: b64(randomBytes(Number(p['length']))) };
      case HsmActions.reEncrypt: {
        const plaintext = open(
          keyOf(p['sourceEkt']),
          bytes(p['iv']),
          bytes(p['sealed']),
          bytes(p['sourceAad']),
        );
        const { iv, sealed } = seal(keyOf(p['destinationEkt']), plaintext, bytes(p['destinationAad']));
        return { iv: b64(iv), sealed: b64(sealed) };
      }
      default:
        throw new Error(`FakeHsmRouter: unknown action ${action}`);
    }
  }
}

/** The AES-256 key that stands for the material inside `ekt`: SHA-256 of the EKT bytes. */
export function fakeKeyOfEkt(ekt: string): Buffer {
  return keyOf(ekt);
}

function keyOf(ekt: unknown): Buffer {
  const raw = bytes(ekt);
  try {
    deserializeEkt(raw);
  } catch (e) {
    if (e instanceof EnvelopeError) {
      throw new KmsError(ErrorCodes.INVALID_STATE, 'the stored key token of this key version is malformed');
    }
    throw e;
  }
  return createHash('sha256').update(raw).digest();
}

function seal(key: Buffer, plaintext: Buffer, aad: Buffer): { iv: Buffer; sealed: Buffer } {
  const iv = randomBytes(IV_LENGTH);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_LENGTH });
  cipher.setAAD(aad);
  return { iv, sealed: Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]) };
}

function open(key: Buffer, iv: Buffer, sealed: Buffer, aad: Buffer): Buffer {
  const invalid = () =>
    new KmsError(ErrorCodes.INVALID_CIPHERTEXT, 'the ciphertext or its encryption context is not valid');
  if (iv.length !== IV_LENGTH || sealed.length < TAG_LENGTH) throw invalid();
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_LENGTH });
    decipher.setAAD(aad);
    decipher.setAuthTag(sealed.subarray(sealed.length - TAG_LENGTH));
    return Buffer.concat([decipher.update(sealed.subarray(0, sealed.length - TAG_LENGTH)), decipher.final()]);
  } catch {
    throw invalid();
  }
}

function bytes(v: unknown): Buffer {
  if (typeof v !== 'string') throw new Error('FakeHsmRouter: expected a base64 string');
  return Buffer.from(v, 'base64');
}

const b64 = (u: Uint8Array): string => Buffer.from(u.buffer, u.byteOffset, u.byteLength).toString('base64');
