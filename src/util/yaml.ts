// YAML text from objects, safe for secret placeholders.

import { Document, Scalar, visit } from 'yaml';
import { hasSecretRefs } from '../secrets/secrets.js';

/**
 * A secret placeholder is replaced by its value as plain text when the file is
 * written, so as a plain scalar a value like `123456` or `true` would turn into
 * a number or a boolean, and `a: b` or `x # y` would break the file. A literal
 * block scalar keeps any one-line value a string, quotes and `#` included.
 */
export function toYaml(value: unknown): string {
  // YAML 1.1 rules: Kubernetes and helm (sigs.k8s.io/yaml) read a plain `off`,
  // `on`, `yes` or `no` as a boolean, so those strings must come out quoted (the
  // cluster e2e found an ingress annotation `off` refused by kubectl).
  const doc = new Document(value, { version: '1.1' });
  visit(doc, {
    Scalar(_key, node) {
      if (typeof node.value === 'string' && hasSecretRefs(node.value)) node.type = Scalar.BLOCK_LITERAL;
    },
  });
  // lineWidth 0: never fold long values (URLs, placeholders) across lines.
  return doc.toString({ lineWidth: 0 });
}
