/** Injection tokens of the hsm app. */
export const HSM = Symbol('Hsm');
export const NODE_SETTINGS = Symbol('NodeSettings');

export interface NodeSettings {
  nodeId: string;
  tokenLabel: string;
  domainGeneration: number;
  /** The node holds a domain state that names it (it can serve key operations once it holds the active key). */
  member?: boolean;
  /**
   * The operators this node was installed to trust (a JSON file of `{ id, publicKey }`, read at each join): a join
   * must come with the add-member those operators approved. Unset: the first state is trusted on first use.
   */
  operatorsFile?: string;
}
