import { Controller, Inject, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';

import { KmsRequestHandler } from './kms-request.handler.js';

/** The AWS KMS JSON 1.1 endpoint: every operation is a POST to / named by X-Amz-Target. */
@Controller()
export class KmsController {
  constructor(@Inject(KmsRequestHandler) private readonly handler: KmsRequestHandler) {}

  @Post('/')
  handle(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.handler.handle(req, reply);
  }
}
