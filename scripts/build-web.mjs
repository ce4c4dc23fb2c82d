// Builds the browser page served at /app/ (web/README.md): bundles web/app.ts and the SDK's browser binding into one
// ES module for browsers, dist/web/app.js, and copies web/index.html beside it. Run by scripts/build.sh after tsc.
import { build } from 'esbuild';
import { copyFile, mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist', 'web');

await mkdir(out, { recursive: true });
await Promise.all([
  build({
    entryPoints: [join(root, 'web', 'app.ts')],
    outfile: join(out, 'app.js'),
    tsconfig: join(root, 'web', 'tsconfig.json'),
    bundle: true,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    minify: true,
    legalComments: 'none',
    logLevel: 'warning',
  }),
  copyFile(join(root, 'web', 'index.html'), join(out, 'index.html')),
]);
