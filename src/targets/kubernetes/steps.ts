// The Kubernetes plan, in order:
//   namespace → storage + infrastructure (./infrastructure, via infra-bridge)
//   → config ConfigMaps + Secret → server releases (concurrently)
//   → wait until the API answers → chat releases → fronts → ingress
//   → smoke test → summary.
// Pure: the same spec and facts always give the same steps.

import type { DeploySpec } from '../../config/schema.js';
import type { KubernetesFacts } from '../../facts/types.js';
import type { Step } from '../../plan/types.js';
import { CHAT_MODULES, FRONT_MODULES, SERVER_MODULES, type OpenIMModule } from '../../catalog/modules.js';
import { openimEndpoints } from './config/endpoints.js';
import { configObjects, generateForKubernetes, type ConfigObjects } from './config/objects.js';
import { applyActions, releaseStep } from './helm-release.js';
import { infraEndpoints, infraSecretObject, infraSteps } from './infra-bridge.js';
import { controllerSteps } from './ingress/controller.js';
import { ingressObjects } from './ingress/objects.js';
import { moduleValues } from './modules/values.js';
import { chatAdminPasswordStep } from './chat-admin.js';
import {
  API_READY_STEP,
  CHARTS_STEP,
  CONFIG_STEP,
  INGRESS_STEP,
  NAMESPACE_STEP,
  SECRETS_STEP,
  VERIFY_STEP,
} from './names.js';
import { releaseStepId } from './infrastructure/names.js';
import { kubernetesLayout, type KubernetesLayout } from './layout.js';
import { yamlDocuments } from './yaml-docs.js';
import { apiReadyStep } from './verify/api-ready.js';
import { verifyStep } from './verify/verify-step.js';
import { summaryStep } from './verify/summary.js';
import { loggingSteps, monitoringSteps } from './monitoring/index.js';

export function enabledModules(spec: DeploySpec): OpenIMModule[] {
  const c = spec.openim.components;
  return [
    ...SERVER_MODULES,
    ...(c.chat ? CHAT_MODULES : []),
    ...FRONT_MODULES.filter((m) => (m.name === 'openim-web-front' ? c.webFront : c.adminFront)),
  ];
}

function namespaceStep(spec: DeploySpec, layout: KubernetesLayout): Step {
  const ns = layout.namespace;
  const namespace = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, labels: { ...layout.labels } } };
  return {
    id: NAMESPACE_STEP,
    title: `Namespace ${ns}`,
    phase: 'prepare',
    needs: [],
    actions: applyActions(
      spec,
      'manifests/namespace.yaml',
      yamlDocuments([namespace]),
      0o644,
      'manifests/namespace.yaml',
    ),
    retries: 2,
  };
}

function configSteps(spec: DeploySpec, layout: KubernetesLayout, cfg: ConfigObjects): Step[] {
  return [
    {
      id: CONFIG_STEP,
      title: 'OpenIM config (ConfigMaps)',
      phase: 'config',
      needs: [NAMESPACE_STEP],
      actions: applyActions(
        spec,
        'manifests/openim-config.yaml',
        yamlDocuments(cfg.configMaps),
        0o644,
        'manifests/openim-config.yaml',
      ),
      retries: 2,
    },
    {
      id: SECRETS_STEP,
      title: 'Credentials (Secrets for OpenIM and its infrastructure)',
      phase: 'config',
      needs: [NAMESPACE_STEP],
      // Placeholders only in the plan and in render output; the executor writes the values, 0600.
      actions: applyActions(
        spec,
        'manifests/openim-secrets.yaml',
        yamlDocuments([cfg.secret, infraSecretObject(layout)]),
        0o600,
        'manifests/openim-secrets.yaml',
      ),
      retries: 2,
    },
    {
      id: CHARTS_STEP,
      title: 'Chart openim-service',
      phase: 'prepare',
      needs: [],
      actions: [
        {
          kind: 'copy',
          from: layout.serviceChart.from,
          to: layout.serviceChart.from,
          render: layout.serviceChart.from,
        },
      ],
    },
  ];
}

/** Steps of the infrastructure folder hang below the namespace; its last steps gate OpenIM. */
function attachInfrastructure(steps: Step[]): { steps: Step[]; done: string[] } {
  const attached = steps.map((s) =>
    s.needs.length === 0 && s.id !== NAMESPACE_STEP ? { ...s, needs: [NAMESPACE_STEP] } : s,
  );
  const needed = new Set(attached.flatMap((s) => s.needs));
  return { steps: attached, done: attached.filter((s) => !needed.has(s.id)).map((s) => s.id) };
}

function moduleRelease(
  spec: DeploySpec,
  layout: KubernetesLayout,
  mod: OpenIMModule,
  cfg: ConfigObjects,
  needs: string[],
): Step {
  return releaseStep(spec, {
    id: releaseStepId(mod.name),
    title: `Release ${mod.name}`,
    phase: mod.product === 'server' ? 'server' : mod.product === 'chat' ? 'chat' : 'front',
    needs,
    name: mod.name,
    namespace: layout.namespace,
    chart: layout.serviceChart.path,
    values: moduleValues(spec, mod, cfg.modules[mod.name]),
    local: true,
    component: mod.name,
  });
}

export function kubernetesSteps(spec: DeploySpec, facts: KubernetesFacts): Step[] {
  const layout = kubernetesLayout(spec);
  const modules = enabledModules(spec);
  const steps: Step[] = [namespaceStep(spec, layout)];

  const infra = attachInfrastructure(infraSteps(spec, layout, facts));
  steps.push(...infra.steps);

  const cfg = configObjects(
    spec,
    layout,
    generateForKubernetes(spec, openimEndpoints(spec, layout, infraEndpoints(spec, layout))),
    modules,
  );
  steps.push(...configSteps(spec, layout, cfg));

  const base = [CONFIG_STEP, SECRETS_STEP, CHARTS_STEP, ...infra.done];
  const byProduct = (p: OpenIMModule['product']) => modules.filter((m) => m.product === p);
  const server = byProduct('server').map((m) => moduleRelease(spec, layout, m, cfg, base));
  steps.push(...server);
  // The admin token needs the API and the auth RPC (found through etcd).
  steps.push(apiReadyStep(spec, layout, facts, [releaseStepId('openim-api'), releaseStepId('openim-rpc-auth')]));

  const chat = byProduct('chat').map((m) => moduleRelease(spec, layout, m, cfg, [...base, API_READY_STEP]));
  steps.push(...chat);
  // The seeded console password is replaced before any route to the console exists.
  const adminPassword = chat.length
    ? [
        chatAdminPasswordStep(
          spec,
          layout,
          facts,
          chat.map((s) => s.id),
        ),
      ]
    : [];
  steps.push(...adminPassword);
  const frontNeeds = chat.length ? chat.map((s) => s.id) : [API_READY_STEP];
  const fronts = byProduct('front').map((m) => moduleRelease(spec, layout, m, cfg, [CHARTS_STEP, ...frontNeeds]));
  steps.push(...fronts);

  const controllers = controllerSteps(spec, [NAMESPACE_STEP], facts.cluster);
  steps.push(...controllers);
  const releases = [...server, ...chat, ...fronts].map((s) => s.id);
  const objects = ingressObjects(spec, layout);
  steps.push({
    id: INGRESS_STEP,
    title: `Ingress (${spec.kubernetes.ingress.controller})`,
    phase: 'ingress',
    needs: [...releases, ...adminPassword.map((s) => s.id), ...controllers.map((s) => s.id)],
    actions: objects.length
      ? applyActions(
          spec,
          'manifests/openim-ingress.yaml',
          yamlDocuments(objects),
          0o644,
          'manifests/openim-ingress.yaml',
        )
      : [
          {
            kind: 'note',
            text: 'kubernetes.ingress.controller is none: no routes created; expose openim-api, openim-msggateway, chat-api, admin-api and the object storage yourself',
          },
        ],
  });
  // Monitoring and logging hang below the namespace only: they never hold up OpenIM.
  steps.push(...monitoringSteps(spec, layout, facts), ...loggingSteps(spec, layout, facts));
  steps.push(verifyStep(spec, facts, [INGRESS_STEP]));
  steps.push(summaryStep(spec, layout, [VERIFY_STEP]));
  return steps;
}
