// The answers as a config file: everything the user said (layers and
// answers merged), built as an object, serialised with yaml, credentials left out.

import { writeFile } from 'node:fs/promises';
import { Document } from 'yaml';
import { isPlainObject, type Plain } from '../config/paths.js';
import { isSecretPath } from './schema-piece.js';

export const ANSWERS_FILE = 'openim-deploy.yaml';

function withoutSecrets(value: Plain, prefix: string[] = []): Plain {
  const out: Plain = {};
  for (const [key, child] of Object.entries(value)) {
    const path = [...prefix, key];
    if (isSecretPath(path.join('.'))) continue;
    if (isPlainObject(child)) {
      const inner = withoutSecrets(child, path);
      if (Object.keys(inner).length > 0) out[key] = inner;
    } else out[key] = child;
  }
  return out;
}

export function answersFileText(raw: Plain): string {
  const doc = new Document(withoutSecrets(raw));
  doc.commentBefore = [
    ' Written by the openim-deploy wizard. Re-run without questions:',
    '   openim-deploy install -c openim-deploy.yaml --yes',
    ' Credentials are not stored here: the installer generates and keeps them,',
    ' or pass yours as OPENIM_DEPLOY_* environment variables.',
  ].join('\n');
  return doc.toString({ lineWidth: 100 });
}

export async function saveAnswers(path: string, raw: Plain): Promise<void> {
  await writeFile(path, answersFileText(raw), { mode: 0o644 });
}
