import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  CreateAliasRequest,
  DeleteAliasRequest,
  ListAliasesRequest,
  Subjects,
  UpdateAliasRequest,
} from '@symbolon/contracts';

import { CreateAliasUseCase } from './use-cases/create-alias/create-alias.use-case.js';
import { DeleteAliasUseCase } from './use-cases/delete-alias/delete-alias.use-case.js';
import { ListAliasesUseCase } from './use-cases/list-aliases/list-aliases.use-case.js';
import { UpdateAliasUseCase } from './use-cases/update-alias/update-alias.use-case.js';

@Controller()
export class AliasesController {
  constructor(
    @Inject(CreateAliasUseCase) private readonly createAlias: CreateAliasUseCase,
    @Inject(UpdateAliasUseCase) private readonly updateAlias: UpdateAliasUseCase,
    @Inject(DeleteAliasUseCase) private readonly deleteAlias: DeleteAliasUseCase,
    @Inject(ListAliasesUseCase) private readonly listAliases: ListAliasesUseCase,
  ) {}

  @MessagePattern(Subjects.aliases.create)
  create(@Payload() req: CreateAliasRequest) {
    return this.createAlias.execute(req);
  }

  @MessagePattern(Subjects.aliases.update)
  update(@Payload() req: UpdateAliasRequest) {
    return this.updateAlias.execute(req);
  }

  @MessagePattern(Subjects.aliases.delete)
  delete(@Payload() req: DeleteAliasRequest) {
    return this.deleteAlias.execute(req);
  }

  @MessagePattern(Subjects.aliases.list)
  list(@Payload() req: ListAliasesRequest) {
    return this.listAliases.execute(req);
  }
}
