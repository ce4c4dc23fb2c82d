import { describe, expect, it } from '@jest/globals';

import * as format from './format.js';

describe('EKT format', () => {
  it('should keep the documented offsets and limits when the constants are read', () => {
    expect(format.EktOffset).toEqual({ VERSION: 0, DOMAIN_GENERATION: 1, ALGORITHM: 5, WRAPPED: 6 });
    expect(format.EKT_HEADER_LENGTH).toBe(6);
    expect(format.EKT_MIN_LENGTH).toBe(30);
    expect(format.EKT_MAX_LENGTH).toBe(526);
    expect(format.EktVersion.V1).toBe(1);
    expect(format.EktWrapAlgorithm.AES_KW_RFC3394).toBe(1);
  });

  it('should refuse changes when code tries to modify the frozen tables', () => {
    expect(Object.isFrozen(format.EktVersion)).toBe(true);
    expect(Object.isFrozen(format.EktWrapAlgorithm)).toBe(true);
    expect(Object.isFrozen(format.EktOffset)).toBe(true);
  });
});
