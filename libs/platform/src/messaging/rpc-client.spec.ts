import { ErrorCodes, KmsError } from '@symbolon/contracts';
import { TimeoutError } from 'rxjs';

import { toKmsError } from './rpc-client.js';

const SUBJECT = 'kms.v1.hsm.hsm-2.encrypt';

describe('toKmsError', () => {
  it.each([
    ['nats.js no responders', new Error('503 no responders')],
    [
      "NestJS's empty response when nobody subscribes",
      new Error(`Empty response. There are no subscribers listening to that message ("${SUBJECT}")`),
    ],
  ])('should answer DEPENDENCY_TIMEOUT, which the router fails over on, when given %s', (_name, e) => {
    const k = toKmsError(e, SUBJECT);
    expect(k.code).toBe(ErrorCodes.DEPENDENCY_TIMEOUT);
    expect(k.message).toBe(`no service answers ${SUBJECT}`);
  });

  it('should answer DEPENDENCY_TIMEOUT when the reply does not come in time', () => {
    expect(toKmsError(new TimeoutError(), SUBJECT)).toMatchObject({
      code: ErrorCodes.DEPENDENCY_TIMEOUT,
      message: `no reply from ${SUBJECT} in time`,
    });
  });

  it('should keep a KmsError and rebuild one from its envelope when the service answered with an error', () => {
    const e = new KmsError(ErrorCodes.VALIDATION, 'bad');
    expect(toKmsError(e, SUBJECT)).toBe(e);
    expect(toKmsError(e.toEnvelope(), SUBJECT)).toMatchObject({
      code: ErrorCodes.VALIDATION,
      message: 'bad',
    });
  });

  it('should answer INTERNAL without the cause when the failure is anything else', () => {
    expect(toKmsError(new Error('socket hang up: secret detail'), SUBJECT)).toMatchObject({
      code: ErrorCodes.INTERNAL,
      message: `request to ${SUBJECT} failed`,
    });
  });
});
