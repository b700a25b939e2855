// `config init`: a complete, commented YAML config built from the schema's
// descriptions and defaults (as a yaml Document, never by concatenation).

import { Document, isMap, type YAMLMap, type Pair, type Scalar } from 'yaml';
import { configJsonSchema, schemaAt } from './json-schema.js';
import { deploySpecSchema } from './schema.js';
import { deepMerge, type Plain } from './paths.js';
import { crossFieldErrors } from './rules.js';
import type { DeploySpec } from './schema.js';

function stripSecrets(value: Plain, path: string[] = []): Plain {
  const out: Plain = {};
  for (const [k, v] of Object.entries(value)) {
    const node = schemaAt([...path, k]);
    if (node?.secret) continue;
    out[k] = v && typeof v === 'object' && !Array.isArray(v) ? stripSecrets(v as Plain, [...path, k]) : v;
  }
  return out;
}

export function initFileText(seed: Plain = {}): string {
  const spec = deploySpecSchema.parse(seed);
  const defaults = spec as unknown as Plain;
  // What the config still lacks (a domain for production, an NFS server …) is marked where it goes.
  const required = new Map(
    crossFieldErrors(spec as DeploySpec).map((i) => [i.path, `REQUIRED: ${i.message}${i.hint ? ` (${i.hint})` : ''}`]),
  );
  const doc = new Document(stripSecrets(deepMerge(defaults, {})));
  doc.commentBefore = [
    ' openim-deploy configuration. Validate with: openim-deploy config validate -c FILE',
    ' Secrets (passwords, share.secret) are generated and stored by the installer when left out;',
    ' set them here only to reuse existing ones. JSON Schema: openim-deploy config schema',
  ].join('\n');
  const annotate = (map: YAMLMap, path: string[]) => {
    for (const pair of map.items as Pair<Scalar, unknown>[]) {
      const key = String(pair.key.value);
      const node = schemaAt([...path, key], configJsonSchema());
      const mark = required.get([...path, key].join('.'));
      const comment = [node?.description, mark]
        .filter(Boolean)
        .map((c) => ` ${c}`)
        .join('\n');
      if (comment) pair.key.commentBefore = comment;
      if (isMap(pair.value)) annotate(pair.value, [...path, key]);
    }
  };
  if (isMap(doc.contents)) annotate(doc.contents, []);
  return doc.toString({ lineWidth: 120 });
}
