/** What the launcher writes to runtime.json, and the hsm nodes' own metrics, for e2e suites. */
import type { TestPlatform } from '@symbolon/testing';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

interface Runtime {
  metricsPorts: Record<string, number>;
  pids: Record<string, number>;
}

export const runtimeFile = (platform: TestPlatform): string => join(platform.dataDir, 'runtime.json');

export function runtimeOf(platform: TestPlatform): Runtime {
  return JSON.parse(readFileSync(runtimeFile(platform), 'utf8')) as Runtime;
}

/** Encrypt and Decrypt requests an hsm node answered ok, from its own metrics. */
export async function requestsServedBy(platform: TestPlatform, nodeId: string): Promise<number> {
  const port = runtimeOf(platform).metricsPorts[nodeId];
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  return [
    ...text.matchAll(/^kms_hsm_requests_total\{operation="[^"]+\.(encrypt|decrypt)",outcome="ok"\} (\d+)$/gm),
  ]
    .map((m) => Number(m[2]))
    .reduce((a, b) => a + b, 0);
}
