/** Bytes cross NATS as base64 strings (Nest's JSON serializer would turn a Buffer into an array of numbers). */
export function toBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

export function fromBase64(text: string): Buffer {
  return Buffer.from(text, 'base64');
}
