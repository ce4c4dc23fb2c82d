import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterEach, describe, expect, it } from '@jest/globals';

const SCRIPT = fileURLToPath(new URL('../../../scripts/check-preconditions.mjs', import.meta.url));
const roots: string[] = [];

/** Writes a throwaway repository and runs the script on it. */
function check(files: Record<string, string>): { status: number | null; stdout: string; stderr: string } {
  const root = mkdtempSync(join(tmpdir(), 'preconditions-'));
  roots.push(root);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  const result = spawnSync(process.execPath, [SCRIPT, root], { encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const NEEDS_DECLARATION =
  'export function needs(condition: unknown, message: string): asserts condition { if (!condition) throw new Error(message); }\n';

afterEach(() => {
  for (const root of roots.splice(0)) {
    rmSync(root, { recursive: true, force: true });
  }
});

describe('check-preconditions', () => {
  it('should pass when every precondition has a test of the same name', () => {
    const result = check({
      'libs/a/src/needs.ts': NEEDS_DECLARATION,
      'libs/a/src/a.ts': "/* Precondition: x. */\nneeds(x > 0, 'fixture alpha holds');\n",
      'apps/b/src/deep/b.ts': 'needs(y, "fixture beta holds");\n',
      'libs/a/src/a.spec.ts': "it('fixture alpha holds', () => {});\n",
      'elsewhere/b.spec.ts': 'it(`fixture beta holds`, () => {});\n',
    });
    expect(result.stdout).toContain('preconditions: 2 checked, 0 untested');
    expect(result.status).toBe(0);
  });

  it('should fail and list the call when a precondition has no test', () => {
    const result = check({
      'libs/a/src/a.ts': "const a = 1;\nneeds(a, 'fixture gamma holds');\nneeds(a, 'fixture delta holds');\n",
      'libs/a/src/a.spec.ts':
        "it('fixture gamma holds', () => {});\nit('fixture delta holds too', () => {});\n",
    });
    expect(result.status).toBe(1);
    expect(result.stdout).toContain('preconditions: 2 checked, 1 untested');
    expect(result.stderr).toContain('libs/a/src/a.ts:3');
    expect(result.stderr).toContain('"fixture delta holds"');
    expect(result.stderr).not.toContain('fixture gamma');
  });

  it('should read the message as the second argument when the condition holds commas, calls and regexes', () => {
    const result = check({
      'libs/a/src/a.ts': [
        'needs(',
        "  f(a, [1, 2], { b: ')' }) && /[\"',)]/.test(s) && a / 2 > 1,",
        "  'fixture epsilon holds',",
        "  'TOO_LONG',",
        ');',
      ].join('\n'),
      'libs/a/src/a.spec.ts': "it('fixture epsilon holds', () => {});\n",
    });
    expect(result.stdout).toContain('preconditions: 1 checked, 0 untested');
    expect(result.status).toBe(0);
  });

  it('should count the call as untested when its message is not a plain literal', () => {
    const result = check({
      'libs/a/src/a.ts': 'needs(a, `fixture ${n} zeta`);\nneeds(a, message);\nneeds(a);\n',
      'libs/a/src/a.spec.ts': 'it(`fixture ${n} zeta`, () => {});\n',
    });
    expect(result.status).toBe(1);
    expect(result.stdout).toContain('preconditions: 3 checked, 3 untested');
    expect(result.stderr).toContain('not a plain string literal');
  });

  it('should ignore comments, strings, declarations, spec files and code outside src when scanning', () => {
    const result = check({
      'libs/a/src/needs.ts': NEEDS_DECLARATION,
      'libs/a/src/a.ts':
        "// needs(a, 'fixture in a comment')\nconst s = \"needs(a, 'fixture in a string')\";\nthis.needs(a, 'fixture method');\n",
      'libs/a/src/a.spec.ts': "needs(a, 'fixture in a spec');\n",
      'libs/a/test/helper.ts': "needs(a, 'fixture in a test helper');\n",
      'scripts/tool.ts': "needs(a, 'fixture in a script');\n",
      'node_modules/x/src/y.ts': "needs(a, 'fixture in a dependency');\n",
    });
    expect(result.stdout).toContain('preconditions: 0 checked, 0 untested');
    expect(result.status).toBe(0);
  });

  it('should not count a test name as a match when it only starts with the message', () => {
    const result = check({
      'libs/a/src/a.ts': "needs(a, 'fixture eta');\n",
      'libs/a/src/a.spec.ts': "it('fixture eta holds', () => {});\ndescribe('fixture eta', () => {});\n",
    });
    expect(result.status).toBe(1);
  });
});
