import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { Subjects } from '@symbolon/contracts';

import { UnwrapSecretRequest, WrapSecretRequest } from './secrets.dto.js';
import { SecretsService } from './secrets.service.js';

/** Internal subjects for the gateway: platform secrets wrapped under the internal platform key. */
@Controller()
export class SecretsController {
  constructor(@Inject(SecretsService) private readonly secrets: SecretsService) {}

  @MessagePattern(Subjects.secrets.wrap)
  wrap(@Payload() req: WrapSecretRequest) {
    return this.secrets.wrap(req);
  }

  @MessagePattern(Subjects.secrets.unwrap)
  unwrap(@Payload() req: UnwrapSecretRequest) {
    return this.secrets.unwrap(req);
  }
}
