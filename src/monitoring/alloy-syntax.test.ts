import { describe, expect, it } from 'vitest';
import { block, expr, printAlloy } from './alloy-syntax.js';
import { hostAlloyConfig, kubernetesAlloyConfig, lokiBaseUrl, lokiPushUrl } from './log-shipping.js';

/** Every `a.b.label.export` reference must name a declared `a.b "label"` component. */
function references(text: string): { refs: string[]; missing: string[] } {
  const declared = new Set([...text.matchAll(/^([a-z_]+(?:\.[a-z_]+)+) "([^"]+)" \{/gm)].map((m) => `${m[1]}.${m[2]}`));
  const refs = [...text.matchAll(/= \[?((?:loki|discovery|local)\.[a-z_.]+)\.(receiver|targets|output|rules)\b/g)].map(
    (m) => m[1]!,
  );
  return { refs, missing: refs.filter((r) => !declared.has(r)) };
}

function balanced(text: string): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === '"') inString = false;
    } else if (ch === '"') inString = true;
    else if (ch === '{' || ch === '[') depth++;
    else if (ch === '}' || ch === ']') depth--;
    if (depth < 0) return false;
  }
  return depth === 0 && !inString;
}

describe('Alloy syntax printer', () => {
  it('prints blocks, attributes, arrays, objects and raw expressions', () => {
    const text = printAlloy([
      block('loki.write', 'default', [
        block('endpoint', undefined, [['url', 'http://x/"q"']]),
        ['external_labels', { cluster: 'a', 'my-key': expr('constants.hostname') }],
      ]),
    ]);
    expect(text).toBe(
      'loki.write "default" {\n  endpoint {\n    url = "http://x/\\"q\\""\n  }\n  external_labels = {\n    cluster = "a",\n    "my-key" = constants.hostname,\n  }\n}\n',
    );
  });

  it('refuses names that are not identifiers', () => {
    expect(() => printAlloy([block('x', undefined, [['bad-name', 1]])])).toThrow(/attribute/);
  });
});

describe('log shipping pipelines', () => {
  const k8s = kubernetesAlloyConfig('openim', 'http://loki.monitoring.svc:3100/loki/api/v1/push');
  const host = hostAlloyConfig('http://127.0.0.1:3100/loki/api/v1/push');

  it('are balanced and only reference declared components', () => {
    for (const text of [k8s, host]) {
      expect(balanced(text)).toBe(true);
      const { refs, missing } = references(text);
      expect(refs.length).toBeGreaterThan(1);
      expect(missing).toEqual([]);
    }
  });

  it('label Kubernetes lines with namespace and module, from the OpenIM namespace only', () => {
    expect(k8s).toContain('names = ["openim"]');
    expect(k8s).toMatch(/source_labels = \["__meta_kubernetes_namespace"\]\n\s+target_label = "namespace"/);
    expect(k8s).toMatch(
      /source_labels = \["__meta_kubernetes_pod_label_app_kubernetes_io_name"\]\n\s+regex = "\(\.\+\)"\n\s+target_label = "module"/,
    );
  });

  it('read the journal on hosts and derive module from the unit', () => {
    expect(host).toContain('loki.source.journal "openim"');
    expect(host).toContain('regex = "openim.+\\\\.service"');
    expect(host).toMatch(/target_label = "module"/);
  });

  it('normalise Loki URLs', () => {
    expect(lokiPushUrl('http://loki:3100/')).toBe('http://loki:3100/loki/api/v1/push');
    expect(lokiPushUrl('http://loki:3100/loki/api/v1/push')).toBe('http://loki:3100/loki/api/v1/push');
    expect(lokiBaseUrl('http://loki:3100/loki/api/v1/push')).toBe('http://loki:3100');
  });
});
