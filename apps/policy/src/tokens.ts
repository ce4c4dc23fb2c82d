export const POLICY_DATA_SOURCE = Symbol('PolicyDataSource');
export const POLICY_CONFIG = Symbol('PolicyConfig');
export const NOTICES = Symbol('Notices');
