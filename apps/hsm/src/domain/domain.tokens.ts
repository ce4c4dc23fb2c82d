/** Injection token of the node's DomainStateStore. */
export const DOMAIN_STORE = Symbol('DomainStateStore');
