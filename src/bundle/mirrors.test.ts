// A bundle holds upstream names whatever online mirrors the config names:
// images.rewrite and kubernetes.helmRepoMirrors do not leak into it.

import { describe, expect, it } from 'vitest';
import { formatImage } from '../catalog/images.js';
import { INGRESS_CONTROLLERS } from '../catalog/ingress.js';
import { resolveConfig } from '../config/resolve.js';
import { templatesDir } from '../util/package-root.js';
import { bundleContents } from './contents.js';

const spec = (preset: string, sets: string[] = []) =>
  resolveConfig({ preset, sets: ['openim.domain=im.example.com', ...sets], env: {} }).spec;

describe('bundle contents with online mirrors configured', () => {
  it('china-mirror: the same upstream images as without its rewrite rule and mirror', () => {
    const china = spec('china-mirror');
    const plain = { ...china, images: { ...china.images, rewrite: [], mirror: '' } };
    const images = bundleContents(china, { templatesDir: templatesDir() }).images.map(formatImage);
    expect(images).toEqual(bundleContents(plain, { templatesDir: templatesDir() }).images.map(formatImage));
    expect(images.some((i) => i.startsWith('docker.io/openim/openim-api:'))).toBe(true);
    for (const image of images) expect(image).not.toMatch(/aliyuncs|daocloud/);
  });

  it('rules covering every registry leave the bundle image list unchanged', () => {
    const base = spec('production', ['kubernetes.storage.backend=rook-ceph']);
    const rewrite = ['docker.io', 'quay.io', 'registry.k8s.io', 'ghcr.io'].map((from) => ({
      from,
      to: `mirror.example/${from.replace(/\./g, '-')}`,
    }));
    const ruled = { ...base, images: { ...base.images, rewrite } };
    expect(bundleContents(ruled, { templatesDir: templatesDir() }).images.map(formatImage)).toEqual(
      bundleContents(base, { templatesDir: templatesDir() }).images.map(formatImage),
    );
  });

  it('charts keep their upstream repository under kubernetes.helmRepoMirrors', () => {
    const base = spec('dev', ['kubernetes.ingress.controller=traefik', 'kubernetes.ingress.install=true']);
    const traefik = INGRESS_CONTROLLERS.traefik.charts[0]!.chart;
    const mirrored = {
      ...base,
      kubernetes: { ...base.kubernetes, helmRepoMirrors: { [traefik.repo!]: 'https://charts.internal/traefik' } },
    };
    const chart = bundleContents(mirrored, { templatesDir: templatesDir() }).charts.find(
      (c) => c.name === traefik.name,
    )!;
    expect(chart.repo).toBe(traefik.repo);
  });
});
