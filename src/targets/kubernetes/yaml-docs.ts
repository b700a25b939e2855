// Kubernetes objects → one YAML stream. Each document is serialised by `yaml`
// from an object; only the standard `---` separator joins them.

import { stringify } from 'yaml';

export type K8sObject = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; [k: string]: unknown }; [k: string]: unknown };

export function yamlDocuments(objects: readonly object[]): string {
  return objects.map((o) => stringify(o, { lineWidth: 0 })).join('---\n');
}
