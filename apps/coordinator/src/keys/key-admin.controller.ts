import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  GetKeyUsageRequest,
  ListAuditEventsRequest,
  DisableKeyRequest,
  EnableKeyRequest,
  ListResourceTagsRequest,
  Subjects,
  TagResourceRequest,
  UntagResourceRequest,
  UpdateKeyDescriptionRequest,
} from '@symbolon/contracts';

import { DisableKeyUseCase } from './use-cases/disable-key/disable-key.use-case.js';
import { EnableKeyUseCase } from './use-cases/enable-key/enable-key.use-case.js';
import { ListAuditEventsUseCase } from './use-cases/list-audit-events/list-audit-events.use-case.js';
import { GetKeyUsageUseCase } from './use-cases/get-key-usage/get-key-usage.use-case.js';
import { ListResourceTagsUseCase } from './use-cases/list-resource-tags/list-resource-tags.use-case.js';
import { TagResourceUseCase } from './use-cases/tag-resource/tag-resource.use-case.js';
import { UntagResourceUseCase } from './use-cases/untag-resource/untag-resource.use-case.js';
import { UpdateKeyDescriptionUseCase } from './use-cases/update-key-description/update-key-description.use-case.js';

/** Key administration: tags, description, enable / disable. */
@Controller()
export class KeyAdminController {
  constructor(
    @Inject(TagResourceUseCase) private readonly tagResource: TagResourceUseCase,
    @Inject(UntagResourceUseCase) private readonly untagResource: UntagResourceUseCase,
    @Inject(ListResourceTagsUseCase) private readonly listResourceTags: ListResourceTagsUseCase,
    @Inject(GetKeyUsageUseCase) private readonly getKeyUsage: GetKeyUsageUseCase,
    @Inject(ListAuditEventsUseCase) private readonly listAuditEvents: ListAuditEventsUseCase,
    @Inject(UpdateKeyDescriptionUseCase) private readonly updateDescription: UpdateKeyDescriptionUseCase,
    @Inject(EnableKeyUseCase) private readonly enableKey: EnableKeyUseCase,
    @Inject(DisableKeyUseCase) private readonly disableKey: DisableKeyUseCase,
  ) {}

  @MessagePattern(Subjects.keys.tagResource)
  tag(@Payload() req: TagResourceRequest) {
    return this.tagResource.execute(req);
  }

  @MessagePattern(Subjects.keys.untagResource)
  untag(@Payload() req: UntagResourceRequest) {
    return this.untagResource.execute(req);
  }

  @MessagePattern(Subjects.keys.listResourceTags)
  listTags(@Payload() req: ListResourceTagsRequest) {
    return this.listResourceTags.execute(req);
  }

  @MessagePattern(Subjects.keys.getUsage)
  usage(@Payload() req: GetKeyUsageRequest) {
    return this.getKeyUsage.execute(req);
  }

  @MessagePattern(Subjects.keys.listAuditEvents)
  auditEvents(@Payload() req: ListAuditEventsRequest) {
    return this.listAuditEvents.execute(req);
  }

  @MessagePattern(Subjects.keys.updateDescription)
  describe(@Payload() req: UpdateKeyDescriptionRequest) {
    return this.updateDescription.execute(req);
  }

  @MessagePattern(Subjects.keys.enable)
  enable(@Payload() req: EnableKeyRequest) {
    return this.enableKey.execute(req);
  }

  @MessagePattern(Subjects.keys.disable)
  disable(@Payload() req: DisableKeyRequest) {
    return this.disableKey.execute(req);
  }
}
