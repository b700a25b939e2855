import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { templatesDir } from '../util/package-root.js';
import { imagesInManifests } from './chart-images.js';
import { mirrorUrl, packChart } from './charts.js';
import { readTar } from '../archive/tar/reader.js';

async function names(tgz: Buffer): Promise<string[]> {
  const out: string[] = [];
  for await (const e of readTar([gunzipSync(tgz)])) out.push(e.path);
  return out;
}

describe('packChart (helm package, in-process)', () => {
  it('packs the own service chart under <name>/, deterministically, honouring .helmignore', async () => {
    const one = packChart(`${templatesDir()}/charts/openim-service`);
    const two = packChart(`${templatesDir()}/charts/openim-service`);
    expect(one.tgz.equals(two.tgz)).toBe(true);
    expect(one.name).toBe('openim-service');
    const files = await names(one.tgz);
    expect(files).toContain('openim-service/Chart.yaml');
    expect(files).toContain('openim-service/templates/deployment.yaml');
    expect(files.every((f) => f.startsWith('openim-service/'))).toBe(true);
    expect(files.some((f) => f.endsWith('.helmignore'))).toBe(true);
  });
});

describe('images in rendered manifests', () => {
  it('reads image fields, operator image flags and *_IMAGE settings, not other strings', () => {
    const yaml = `
apiVersion: apps/v1
kind: Deployment
spec:
  template:
    spec:
      containers:
        - name: a
          image: quay.io/prometheus/prometheus:v3.5.0
          args: ["--prometheus-config-reloader=quay.io/prometheus-operator/prometheus-config-reloader:v0.88.0", "--log.level=info", "--web.listen-address=:9090"]
        - name: b
          image: "grafana/grafana:11.0.1@sha256:${'a'.repeat(64)}"
      initContainers:
        - name: c
          image: busybox
---
apiVersion: monitoring.coreos.com/v1
kind: Prometheus
spec:
  image: quay.io/prometheus/prometheus:v3.5.0
  version: v3.5.0
---
# rook-ceph's operator settings: the operator starts the CSI pods with these images.
apiVersion: v1
kind: ConfigMap
data:
  ROOK_CSI_CEPH_IMAGE: "quay.io/cephcsi/cephcsi:v3.16.2"
  ROOK_CSI_ENABLE_RBD: "true"
---
apiVersion: apps/v1
kind: Deployment
spec:
  template:
    spec:
      containers:
        - name: d
          image: docker.io/rook/ceph:v1.19.6
          env: [{ name: ROOK_CSIADDONS_IMAGE, value: "quay.io/csiaddons/k8s-sidecar:v0.14.0" }, { name: LOG_LEVEL, value: "INFO" }]
`;
    expect(
      imagesInManifests(yaml)
        .map((r) => `${r.registry}/${r.repository}:${r.tag}${r.digest ? '@' : ''}`)
        .sort(),
    ).toEqual([
      'docker.io/grafana/grafana:11.0.1@',
      'docker.io/rook/ceph:v1.19.6',
      'quay.io/cephcsi/cephcsi:v3.16.2',
      'quay.io/csiaddons/k8s-sidecar:v0.14.0',
      'quay.io/prometheus-operator/prometheus-config-reloader:v0.88.0',
      'quay.io/prometheus/prometheus:v3.5.0',
    ]);
  });
});

describe('URL mirrors', () => {
  it('replace the longest matching prefix', () => {
    const mirrors = {
      'https://charts.example.com': 'http://127.0.0.1:8080/all',
      'https://charts.example.com/stable': 'http://127.0.0.1:8080/stable',
    };
    expect(mirrorUrl('https://charts.example.com/stable', mirrors)).toBe('http://127.0.0.1:8080/stable');
    expect(mirrorUrl('https://charts.example.com/stable/a.tgz', mirrors)).toBe('http://127.0.0.1:8080/stable/a.tgz');
    expect(mirrorUrl('https://charts.example.com/other/', mirrors)).toBe('http://127.0.0.1:8080/all/other/');
    expect(mirrorUrl('https://charts.example.community/x', mirrors)).toBe('https://charts.example.community/x');
  });
});
