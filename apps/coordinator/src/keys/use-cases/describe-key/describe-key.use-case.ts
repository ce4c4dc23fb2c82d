import { Inject, Injectable } from '@nestjs/common';
import { type DescribeKeyReply, DescribeKeyRequest } from '@symbolon/contracts';

import { toKeyMetadata } from '../../key-metadata.js';
import { KeyResolver } from '../../key-resolver.js';

@Injectable()
export class DescribeKeyUseCase {
  constructor(@Inject(KeyResolver) private readonly resolver: KeyResolver) {}

  async execute(req: DescribeKeyRequest): Promise<DescribeKeyReply> {
    const { key } = await this.resolver.authorize(req, req.keyId, 'kms:DescribeKey');
    return { key: toKeyMetadata(key) };
  }
}
