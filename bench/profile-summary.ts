/**
 * Summarises V8 CPU profiles (written with BENCH_CPU_PROF_DIR): self time by package or workspace project, and the
 * hottest functions, per process.   node dist/bench/profile-summary.js <dir> [top=15]
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Where a function comes from: an npm package, a workspace app or lib, a node built-in, or V8 itself. */
function origin(url: string, fn: string): string {
  if (url === '') return fn.startsWith('(') ? fn : '(native)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1]!;
  const ws = /dist\/((?:apps|libs)\/[^/]+)\//.exec(url);
  if (ws) return ws[1]!;
  if (url.startsWith('node:')) return url.split('/').slice(0, 2).join('/');
  return url;
}

function summarise(file: string, top: number): void {
  const p = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  p.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (p.timeDeltas[i] ?? 0)));
  const byOrigin = new Map<string, number>();
  const byFn = new Map<string, number>();
  let busy = 0;
  let service = '?';
  for (const [id, us] of selfUs) {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    service = /dist\/apps\/([^/]+)\/src\/main\.js/.exec(url)?.[1] ?? service;
    if (functionName === '(idle)') continue;
    busy += us;
    const o = origin(url, functionName);
    byOrigin.set(o, (byOrigin.get(o) ?? 0) + us);
    const where = url.replace(/^.*\/(node_modules|dist)\//, '');
    const f = `${functionName || '(anonymous)'} ${where || o}${where ? `:${lineNumber + 1}` : ''}`;
    byFn.set(f, (byFn.get(f) ?? 0) + us);
  }
  for (const n of p.nodes) service = /dist\/apps\/([^/]+)\//.exec(n.callFrame.url)?.[1] ?? service;
  const pct = (us: number) => `${((100 * us) / busy).toFixed(1).padStart(5)} %`;
  const list = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]).slice(0, top);
  console.log(`\n== ${service} (${file.split('/').pop()}): ${(busy / 1e6).toFixed(1)} s busy`);
  console.log('  self time by origin:');
  for (const [o, us] of list(byOrigin)) console.log(`    ${pct(us)}  ${o}`);
  console.log('  hottest functions (self):');
  for (const [f, us] of list(byFn)) console.log(`    ${pct(us)}  ${f}`);
}

const dir = process.argv[2];
if (!dir) throw new Error('usage: node dist/bench/profile-summary.js <dir> [top]');
const top = Number(process.argv[3] ?? 15);
for (const f of readdirSync(dir)
  .filter((f) => f.endsWith('.cpuprofile'))
  .sort())
  summarise(join(dir, f), top);
