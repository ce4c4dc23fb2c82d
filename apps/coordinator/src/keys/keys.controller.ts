import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  CreateKeyRequest,
  DecryptRequest,
  DescribeCustomKeyStoresRequest,
  DescribeKeyRequest,
  EncryptRequest,
  GenerateDataKeyRequest,
  GenerateRandomRequest,
  ListKeysRequest,
  Subjects,
} from '@symbolon/contracts';

import { CustomKeyStores } from '../domain/custom-key-stores.js';
import { CreateKeyUseCase } from './use-cases/create-key/create-key.use-case.js';
import { DecryptUseCase } from './use-cases/decrypt/decrypt.use-case.js';
import { DescribeKeyUseCase } from './use-cases/describe-key/describe-key.use-case.js';
import { EncryptUseCase } from './use-cases/encrypt/encrypt.use-case.js';
import { GenerateDataKeyUseCase } from './use-cases/generate-data-key/generate-data-key.use-case.js';
import { GenerateRandomUseCase } from './use-cases/generate-random/generate-random.use-case.js';
import { ListKeysUseCase } from './use-cases/list-keys/list-keys.use-case.js';

@Controller()
export class KeysController {
  constructor(
    @Inject(CreateKeyUseCase) private readonly createKey: CreateKeyUseCase,
    @Inject(DescribeKeyUseCase) private readonly describeKey: DescribeKeyUseCase,
    @Inject(ListKeysUseCase) private readonly listKeys: ListKeysUseCase,
    @Inject(EncryptUseCase) private readonly encryptUseCase: EncryptUseCase,
    @Inject(DecryptUseCase) private readonly decryptUseCase: DecryptUseCase,
    @Inject(GenerateDataKeyUseCase) private readonly generateDataKey: GenerateDataKeyUseCase,
    @Inject(GenerateRandomUseCase) private readonly generateRandom: GenerateRandomUseCase,
    @Inject(CustomKeyStores) private readonly keyStores: CustomKeyStores,
  ) {}

  @MessagePattern(Subjects.keys.create)
  create(@Payload() req: CreateKeyRequest) {
    return this.createKey.execute(req);
  }

  @MessagePattern(Subjects.keys.describe)
  describe(@Payload() req: DescribeKeyRequest) {
    return this.describeKey.execute(req);
  }

  @MessagePattern(Subjects.keys.list)
  list(@Payload() req: ListKeysRequest) {
    return this.listKeys.execute(req);
  }

  @MessagePattern(Subjects.keys.encrypt)
  encrypt(@Payload() req: EncryptRequest) {
    return this.encryptUseCase.execute(req);
  }

  @MessagePattern(Subjects.keys.decrypt)
  decrypt(@Payload() req: DecryptRequest) {
    return this.decryptUseCase.execute(req);
  }

  @MessagePattern(Subjects.keys.generateDataKey)
  dataKey(@Payload() req: GenerateDataKeyRequest) {
    return this.generateDataKey.execute(req);
  }

  @MessagePattern(Subjects.keys.generateRandom)
  random(@Payload() req: GenerateRandomRequest) {
    return this.generateRandom.execute(req);
  }

  @MessagePattern(Subjects.keys.describeCustomKeyStores)
  describeCustomKeyStores(@Payload() req: DescribeCustomKeyStoresRequest) {
    return this.keyStores.describe(req);
  }
}
