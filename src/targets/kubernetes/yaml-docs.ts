// Kubernetes objects → one YAML stream. Each document is serialised by `yaml`
// from an object (secret placeholders as literal blocks, see toYaml); only the
// standard `---` separator joins them.

import { toYaml } from '../../secrets/yaml.js';

export type K8sObject = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; [k: string]: unknown };
  [k: string]: unknown;
};

export function yamlDocuments(objects: readonly object[]): string {
  return objects.map((o) => toYaml(o)).join('---\n');
}
