/**
 * Typed fakes for classes with private state (RpcClient, repositories): a class with private members is nominal in
 * TypeScript, so an object literal can never be assigned to it. `asFake` checks the fake against every public member
 * of the class and only then casts, so a fake that drifts from the class it stands for fails the typecheck.
 */
export type PublicOf<T> = { [K in keyof T]: T[K] };

export function asFake<T>(impl: PublicOf<T>): T {
  return impl as T;
}
