import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';

import { natsPermissionTemplate } from './permission-template.js';

/** `npm run render:nats`: writes the permission table as JSON where the chart and compose read it. */
const target = resolve(process.argv[2] ?? 'deploy/nats/permissions.json');
writeFileSync(target, `${JSON.stringify(natsPermissionTemplate(), null, 2)}\n`);
console.log(`wrote ${target}`);
