/** Injection tokens of the hsm app. */
export const HSM = Symbol('Hsm');
export const NODE_SETTINGS = Symbol('NodeSettings');

export interface NodeSettings {
  nodeId: string;
  tokenLabel: string;
  domainGeneration: number;
}
