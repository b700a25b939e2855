// YAML text from objects, safe for secret placeholders.

import { Document, parseAllDocuments, Scalar, visit } from 'yaml';
import { hasSecretRefs, materialise, type SecretValues } from './secrets.js';

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

/** Files the executor fills through the YAML serializer rather than as text. */
export function isYamlPath(path: string): boolean {
  return /\.ya?ml$/i.test(path);
}

/**
 * Fill secret placeholders in YAML text through the serializer: parse, replace
 * inside string scalars, print again. Pasting a value into the text would let
 * a newline or `---` start a new object (a crafted password became a
 * ClusterRoleBinding) and drop leading spaces; a printed scalar is quoted as
 * it needs to be, so the value stays exactly one string.
 */
export function materialiseYaml(text: string, values: Partial<SecretValues>): string {
  if (!hasSecretRefs(text)) return text;
  const docs = parseAllDocuments(text, { version: '1.1' });
  return docs
    .map((doc) => {
      if (doc.errors.length > 0)
        throw new Error(`cannot fill secrets: the YAML does not parse: ${doc.errors[0]!.message}`);
      visit(doc, {
        Scalar(_key, node) {
          if (typeof node.value !== 'string' || !hasSecretRefs(node.value)) return;
          node.value = materialise(node.value, values);
          // Double quotes escape every character that could end the scalar.
          node.type = Scalar.QUOTE_DOUBLE;
        },
      });
      return doc.toString({ lineWidth: 0 });
    })
    .join('');
}
