import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  CancelKeyDeletionRequest,
  DisableKeyRotationRequest,
  EnableKeyRotationRequest,
  GetKeyRotationStatusRequest,
  ListKeyRotationsRequest,
  ReEncryptRequest,
  RotateKeyOnDemandRequest,
  ScheduleKeyDeletionRequest,
  Subjects,
} from '@symbolon/contracts';

import { CancelKeyDeletionUseCase } from './use-cases/cancel-key-deletion/cancel-key-deletion.use-case.js';
import { DisableKeyRotationUseCase } from './use-cases/disable-key-rotation/disable-key-rotation.use-case.js';
import { EnableKeyRotationUseCase } from './use-cases/enable-key-rotation/enable-key-rotation.use-case.js';
import { GetKeyRotationStatusUseCase } from './use-cases/get-key-rotation-status/get-key-rotation-status.use-case.js';
import { ListKeyRotationsUseCase } from './use-cases/list-key-rotations/list-key-rotations.use-case.js';
import { ReEncryptUseCase } from './use-cases/re-encrypt/re-encrypt.use-case.js';
import { RotateKeyOnDemandUseCase } from './use-cases/rotate-key-on-demand/rotate-key-on-demand.use-case.js';
import { ScheduleKeyDeletionUseCase } from './use-cases/schedule-key-deletion/schedule-key-deletion.use-case.js';

/** Scheduled deletion, rotation and ReEncrypt. */
@Controller()
export class KeyLifecycleController {
  constructor(
    @Inject(ScheduleKeyDeletionUseCase) private readonly scheduleDeletion: ScheduleKeyDeletionUseCase,
    @Inject(CancelKeyDeletionUseCase) private readonly cancelDeletion: CancelKeyDeletionUseCase,
    @Inject(EnableKeyRotationUseCase) private readonly enableRotation: EnableKeyRotationUseCase,
    @Inject(DisableKeyRotationUseCase) private readonly disableRotation: DisableKeyRotationUseCase,
    @Inject(GetKeyRotationStatusUseCase) private readonly rotationStatus: GetKeyRotationStatusUseCase,
    @Inject(RotateKeyOnDemandUseCase) private readonly rotateOnDemand: RotateKeyOnDemandUseCase,
    @Inject(ListKeyRotationsUseCase) private readonly listRotations: ListKeyRotationsUseCase,
    @Inject(ReEncryptUseCase) private readonly reEncryptUseCase: ReEncryptUseCase,
  ) {}

  @MessagePattern(Subjects.keys.scheduleDeletion)
  schedule(@Payload() req: ScheduleKeyDeletionRequest) {
    return this.scheduleDeletion.execute(req);
  }

  @MessagePattern(Subjects.keys.cancelDeletion)
  cancel(@Payload() req: CancelKeyDeletionRequest) {
    return this.cancelDeletion.execute(req);
  }

  @MessagePattern(Subjects.keys.enableRotation)
  enable(@Payload() req: EnableKeyRotationRequest) {
    return this.enableRotation.execute(req);
  }

  @MessagePattern(Subjects.keys.disableRotation)
  disable(@Payload() req: DisableKeyRotationRequest) {
    return this.disableRotation.execute(req);
  }

  @MessagePattern(Subjects.keys.getRotationStatus)
  status(@Payload() req: GetKeyRotationStatusRequest) {
    return this.rotationStatus.execute(req);
  }

  @MessagePattern(Subjects.keys.rotateOnDemand)
  rotate(@Payload() req: RotateKeyOnDemandRequest) {
    return this.rotateOnDemand.execute(req);
  }

  @MessagePattern(Subjects.keys.listRotations)
  rotations(@Payload() req: ListKeyRotationsRequest) {
    return this.listRotations.execute(req);
  }

  @MessagePattern(Subjects.keys.reEncrypt)
  reEncrypt(@Payload() req: ReEncryptRequest) {
    return this.reEncryptUseCase.execute(req);
  }
}
