// Regenerates schema/openim-deploy.schema.json and the README config reference
// from the zod schema. A test fails when either is out of date.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { configJsonSchema } from '../src/config/json-schema.js';
import { replaceReference } from '../src/config/reference.js';
import { packageRoot } from '../src/util/package-root.js';

const schemaPath = join(packageRoot(), 'schema', 'openim-deploy.schema.json');
writeFileSync(schemaPath, `${JSON.stringify(configJsonSchema(), null, 2)}\n`);
const readmePath = join(packageRoot(), 'README.md');
writeFileSync(readmePath, replaceReference(readFileSync(readmePath, 'utf8')));
console.log(`wrote ${schemaPath} and the config reference in ${readmePath}`);
