// Installing the ingress controller itself (kubernetes.ingress.install), from
// the charts pinned in the catalog. Their images go through images.rewrite
// and images.mirror like every other image.

import { bundledDownloadName, bundledFilePath } from '../../../bundle-layout/names.js';
import type { DeploySpec } from '../../../config/schema.js';
import { INGRESS_CONTROLLERS } from '../../../catalog/ingress.js';
import { mirrorRegistry } from '../monitoring/images.js';
import type { ClusterFacts } from '../../../facts/types.js';
import type { Action, Step } from '../../../plan/types.js';
import { compareVersions } from '../../../util/versions.js';
import { releaseStep } from '../helm-release.js';
import { kubectlBase } from '../tools.js';
import { WEBSOCKET_TIMEOUT_SECONDS } from './routes.js';

function controllerValues(spec: DeploySpec, release: string): object {
  const pullSecrets = spec.images.pullSecret ? [{ name: spec.images.pullSecret }] : [];
  switch (release) {
    case 'ingress-nginx': {
      const registry = mirrorRegistry(spec, 'registry.k8s.io');
      return {
        ...(registry ? { global: { image: { registry } } } : {}),
        ...(pullSecrets.length ? { imagePullSecrets: pullSecrets } : {}),
        controller: {
          ingressClassResource: { name: INGRESS_CONTROLLERS.nginx.className, enabled: true, default: false },
          // The X-Request-Api header needs a configuration-snippet (no per-Ingress header annotation exists).
          allowSnippetAnnotations: true,
          config: { 'annotations-risk-level': 'Critical' },
        },
      };
    }
    case 'traefik': {
      const registry = mirrorRegistry(spec, 'docker.io');
      // Traefik 3 closes requests after 60 s by default; WebSocket sessions live longer.
      const transport = {
        respondingTimeouts: {
          readTimeout: `${WEBSOCKET_TIMEOUT_SECONDS}s`,
          idleTimeout: `${WEBSOCKET_TIMEOUT_SECONDS}s`,
        },
      };
      return {
        ...(registry ? { image: { registry } } : {}),
        ...(pullSecrets.length ? { deployment: { imagePullSecrets: pullSecrets } } : {}),
        ingressClass: { enabled: true, isDefaultClass: false, name: INGRESS_CONTROLLERS.traefik.className },
        // allowCrossNamespace: the /im-minio-api route may point at Ceph RGW in Rook's namespace.
        providers: {
          kubernetesCRD: { enabled: true, allowCrossNamespace: true },
          kubernetesIngress: { enabled: true },
        },
        ports: { web: { transport }, websecure: { transport } },
      };
    }
    default: {
      // gateway-1.26.2 templates/deployment.yaml:69 `image: auto`: istiod's injector fills in the proxy image from
      // its own global.hub, so the gateway chart reads no hub; only its pull secrets (values.yaml:123).
      if (release === 'istio-ingressgateway')
        return spec.images.pullSecret ? { imagePullSecrets: [{ name: spec.images.pullSecret }] } : {};
      // base-1.26.2 renders CRDs, webhooks and a ServiceAccount, no image: only global.imagePullSecrets (values.yaml:9).
      if (release === 'istio-base')
        return spec.images.pullSecret ? { global: { imagePullSecrets: [spec.images.pullSecret] } } : {};
      const hub = mirrorRegistry(spec, 'docker.io/istio');
      return hub
        ? { global: { hub, ...(spec.images.pullSecret ? { imagePullSecrets: [spec.images.pullSecret] } : {}) } }
        : {};
    }
  }
}

/**
 * What to do with the Gateway API CRD bundle when some are already in the cluster (another controller's
 * chart brings them, e.g. traefik-38.0.0 crds/gateway-standard-install.yaml at v1.4.0, or a platform team):
 * - `apply`: none there; server-side apply of the pinned bundle, as upstream's install guide does;
 * - `keep`: the pinned version or newer, or the experimental channel (a superset of standard): left as they
 *   are, since applying an older bundle conflicts with their owner's fields and would take fields away;
 * - `upgrade`: an older standard bundle (or one without upstream's annotations): the pinned bundle is applied
 *   taking over the fields another manager set (`--force-conflicts`), the upgrade upstream documents.
 */
export function gatewayApiCrdChoice(
  pinned: string,
  existing: ClusterFacts['gatewayApi'],
): 'apply' | 'keep' | 'upgrade' {
  if (!existing) return 'apply';
  if (existing.bundleVersion && compareVersions(existing.bundleVersion, pinned) >= 0) return 'keep';
  if (existing.channel === 'experimental') return 'keep';
  return 'upgrade';
}

function manifestActions(
  spec: DeploySpec,
  m: { name: string; url: string; version: string },
  cluster: ClusterFacts | undefined,
): Action[] {
  const source = spec.offline.bundle ? bundledFilePath(bundledDownloadName(m.url)) : m.url;
  const apply = [...kubectlBase(spec), 'apply', '--server-side', '--field-manager=openim-deploy'];
  const existing = m.name === 'gateway-api-crds' ? cluster?.gatewayApi : undefined;
  switch (gatewayApiCrdChoice(m.version, existing)) {
    case 'keep':
      return [
        {
          kind: 'note',
          text: `Gateway API CRDs ${existing!.bundleVersion || '(no bundle-version)'} (${existing!.channel || 'unknown'} channel) already in the cluster: kept as they are (the routes need ${m.version} or newer)`,
        },
      ];
    case 'upgrade':
      return [
        {
          kind: 'note',
          text: `Gateway API CRDs ${existing!.bundleVersion || '(no bundle-version)'} already in the cluster: upgraded to ${m.version}, taking over their fields`,
        },
        { kind: 'exec', argv: [...apply, '--force-conflicts', '-f', source], mutates: true },
      ];
    case 'apply':
      return [{ kind: 'exec', argv: [...apply, '-f', source], mutates: true }];
  }
}

/** `cluster`: what the facts saw (absent when planned without looking: dry-run, render, bundle). */
export function controllerSteps(spec: DeploySpec, needs: string[], cluster?: ClusterFacts): Step[] {
  const ingress = spec.kubernetes.ingress;
  if (!ingress.install || ingress.controller === 'none') return [];
  const pin = INGRESS_CONTROLLERS[ingress.controller];
  const steps: Step[] = [];
  let previous = needs;
  for (const m of pin.manifests) {
    const id = `k8s.ingress-controller.${m.name}`;
    steps.push({
      id,
      title: `${m.name} ${m.version}`,
      phase: 'ingress',
      needs: previous,
      // Offline: the copy `bundle create` fetched (names.ts names it the same way for both).
      actions: manifestActions(spec, m, cluster),
      retries: 2,
    });
    previous = [id];
  }
  for (const c of pin.charts) {
    const id = `k8s.ingress-controller.${c.release}`;
    steps.push(
      releaseStep(spec, {
        id,
        title: `Ingress controller ${c.release} (${c.chart.name} ${c.chart.version})`,
        phase: 'ingress',
        needs: previous,
        name: c.release,
        namespace: pin.namespace,
        chart: c.chart.name,
        repo: c.chart.repo,
        version: c.chart.version,
        ...('skipSchemaValidation' in c.chart ? { skipSchemaValidation: c.chart.skipSchemaValidation } : {}),
        values: controllerValues(spec, c.release),
        local: false,
        createNamespace: true,
        component: c.release,
      }),
    );
    // Istio's charts must go in order (CRDs, control plane, gateway).
    previous = [id];
  }
  return steps;
}
