// What `doctor` reads from a live Kubernetes install (see day2/doctor.ts): the
// Kafka topics as the broker reports them, a real Mongo login with the
// configured authSource, proxy variables in the pods, the shared secret as
// server and chat actually receive it, the Service behind chat's apiURL, and
// the image versions running. Secrets stay in memory: only "equal or not"
// leaves this file.

import { parse as parseYaml } from 'yaml';
import type { DeploySpec } from '../../../config/schema.js';
import { chatRelease, serverRelease } from '../../../catalog/openim-versions.js';
import { INFRASTRUCTURE } from '../../../catalog/infrastructure.js';
import { KAFKA_TOPICS } from '../../../catalog/modules.js';
import type { LiveEvidence } from '../../day2/types.js';
import type { Runner } from '../../../process/runner.js';
import { envVarName } from '../../../openim-config/env.js';
import type { DeployState } from '../../../state/types.js';
import { mongoUri as buildMongoUri } from '../../../secrets/encode.js';
import { CONFIG_MAPS } from '../names.js';
import { INFRA_RELEASES } from '../infrastructure/names.js';
import { enabledModules } from '../steps.js';
import { publicUrls } from '../urls.js';
import { getJson, inNamespace, kubectl, listItems, type Json } from './kubectl.js';
import { kafkaTopicsEvidence, mongoPingScript, parseMongoPing, PROXY_VARIABLES } from '../../day2/live-helpers.js';
import { readSnapshot, type ClusterSnapshot } from './status.js';
import { kubernetesLayout, type KubernetesLayout } from '../layout.js';

const runningPod = (pods: Json[], release: string): string | undefined =>
  pods.find((p) => p.metadata?.labels?.['app.kubernetes.io/instance'] === release && p.status?.phase === 'Running')
    ?.metadata?.name as string | undefined;

interface EnvValue {
  value?: string;
  secretRef?: { name: string; key: string };
}

function containerEnv(workload: Json | undefined): Map<string, EnvValue> {
  const env = new Map<string, EnvValue>();
  for (const c of (workload?.spec?.template?.spec?.containers ?? []) as Json[]) {
    for (const e of (c.env ?? []) as Json[]) {
      const ref = e.valueFrom?.secretKeyRef as { name?: string; key?: string } | undefined;
      if (ref?.name && ref.key) env.set(String(e.name), { secretRef: { name: ref.name, key: ref.key } });
      else if (typeof e.value === 'string') env.set(String(e.name), { value: e.value });
    }
  }
  return env;
}

async function configMapFile(spec: DeploySpec, runner: Runner, name: string, file: string): Promise<Json | undefined> {
  const cm = await getJson(runner, inNamespace(spec, 'get', 'configmap', name, '-o', 'json')).catch(() => undefined);
  const text = cm?.data?.[file] as string | undefined;
  if (!text) return undefined;
  try {
    return parseYaml(text) as Json;
  } catch {
    return undefined;
  }
}

function mongoUri(spec: DeploySpec, state: DeployState): { uri: string; user: string; authSource: string } | undefined {
  const m = spec.infrastructure.mongodb;
  const password = state.secrets['mongodb.password'];
  if (!password) return undefined;
  const authSource = m.authSource || m.database;
  const port = INFRASTRUCTURE.mongodb.ports.mongo;
  const uri = buildMongoUri({
    username: m.username,
    password,
    hosts: [`127.0.0.1:${port}`],
    database: m.database,
    authSource,
    options: { directConnection: 'true' },
  });
  return { uri, user: m.username, authSource };
}

function imageTag(workload: Json): string {
  const image = String(workload.spec?.template?.spec?.containers?.[0]?.image ?? '');
  const noDigest = image.split('@')[0] ?? image;
  const colon = noDigest.lastIndexOf(':');
  return colon > noDigest.lastIndexOf('/') ? noDigest.slice(colon + 1) : 'latest';
}

function expectedVersions(spec: DeploySpec): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of enabledModules(spec)) {
    if (m.product === 'server') out[m.name] = spec.openim.serverVersion;
    else if (m.product === 'chat') out[m.name] = spec.openim.chatVersion;
    else if (m.name === 'openim-web-front') out[m.name] = serverRelease(spec.openim.serverVersion).webFrontTag;
    else out[m.name] = chatRelease(spec.openim.chatVersion).adminFrontTag;
  }
  return out;
}

export async function kubernetesEvidence(
  spec: DeploySpec,
  runner: Runner,
  state: DeployState,
  snapshot?: ClusterSnapshot,
): Promise<LiveEvidence> {
  const layout = kubernetesLayout(spec);
  const snap = snapshot ?? (await readSnapshot(spec, runner));
  const evidence: LiveEvidence = { proxyEnv: [], versions: [], skipped: [] };
  const byName = new Map(snap.workloads.map((w) => [String(w.metadata?.name), w]));

  // Kafka topics, asked of the broker itself.
  const kafka = spec.infrastructure.kafka;
  if (kafka.mode === 'bundled') {
    const pod = runningPod(snap.pods, INFRA_RELEASES.kafka);
    if (!pod)
      evidence.skipped.push({ check: 'kafka.topics', why: `no running pod of release ${INFRA_RELEASES.kafka}` });
    else {
      const r = await runner.run(
        inNamespace(
          spec,
          'exec',
          pod,
          '--',
          'kafka-topics.sh',
          '--bootstrap-server',
          `localhost:${INFRASTRUCTURE.kafka.ports.client}`,
          '--describe',
        ),
        { timeoutMs: 60_000 },
      );
      evidence.kafkaTopics = kafkaTopicsEvidence(r);
    }
  } else
    evidence.skipped.push({
      check: 'kafka.topics',
      why: `external Kafka: run kafka-topics.sh --bootstrap-server ${kafka.address.join(',')} --describe and look for ${KAFKA_TOPICS.join(', ')}`,
    });

  // Mongo login with the configured user and authSource, from inside the Mongo pod.
  if (spec.infrastructure.mongodb.mode === 'bundled') {
    const pod = runningPod(snap.pods, INFRA_RELEASES.mongodb);
    const target = mongoUri(spec, state);
    if (!pod)
      evidence.skipped.push({ check: 'mongodb.auth', why: `no running pod of release ${INFRA_RELEASES.mongodb}` });
    else if (!target) evidence.skipped.push({ check: 'mongodb.auth', why: 'no MongoDB password in the state' });
    else {
      const r = await runner.run(inNamespace(spec, 'exec', '-i', pod, '--', 'mongosh', '--quiet', '--nodb'), {
        input: mongoPingScript(target.uri),
        timeoutMs: 60_000,
      });
      const ping =
        r.exitCode === 0
          ? parseMongoPing(r.stdout)
          : { ok: false, detail: (r.stderr || r.stdout).trim().split('\n').pop() ?? `exit ${r.exitCode}` };
      evidence.mongoAuth = { ...ping, authSource: target.authSource, user: target.user };
    }
  } else
    evidence.skipped.push({
      check: 'mongodb.auth',
      why: 'external MongoDB: check with mongosh from a machine that reaches it, using the same authSource',
    });

  // Proxy variables handed to OpenIM pods.
  for (const m of enabledModules(spec)) {
    const env = containerEnv(byName.get(m.name));
    const vars = PROXY_VARIABLES.filter((v) => env.has(v) && (env.get(v)!.value ?? 'x') !== '');
    if (vars.length) evidence.proxyEnv.push({ where: `Deployment ${m.name}`, vars });
  }

  // Shared secret and chat's apiURL, as the processes receive them.
  if (spec.openim.components.chat) {
    const serverEnv = containerEnv(byName.get('openim-api'));
    const chatEnv = containerEnv(byName.get('chat-api'));
    const secretCache = new Map<string, Json | undefined>();
    const resolve = async (v: EnvValue | undefined): Promise<string | undefined> => {
      if (!v) return undefined;
      if (v.value !== undefined) return v.value;
      const { name, key } = v.secretRef!;
      if (!secretCache.has(name))
        secretCache.set(
          name,
          await getJson(runner, inNamespace(spec, 'get', 'secret', name, '-o', 'json')).catch(() => undefined),
        );
      const data = secretCache.get(name)?.data?.[key] as string | undefined;
      return data === undefined ? undefined : Buffer.from(data, 'base64').toString('utf8');
    };
    const serverShare = await configMapFile(spec, runner, CONFIG_MAPS.server, 'share.yml');
    const chatShare = await configMapFile(spec, runner, CONFIG_MAPS.chat, 'share.yml');
    const server =
      (await resolve(serverEnv.get(envVarName('server', 'share.yml', ['secret'])))) ||
      (serverShare?.secret as string | undefined) ||
      '';
    const chat =
      (await resolve(chatEnv.get(envVarName('chat', 'share.yml', ['openIM', 'secret'])))) ||
      (chatShare?.openIM?.secret as string | undefined) ||
      '';
    evidence.sharedSecret = {
      serverSet: server !== '',
      chatSet: chat !== '',
      equal: server !== '' && server === chat,
      source: `env of Deployments openim-api and chat-api, else ConfigMaps ${CONFIG_MAPS.server}/${CONFIG_MAPS.chat} share.yml`,
    };

    const apiUrl =
      (await resolve(chatEnv.get(envVarName('chat', 'share.yml', ['openIM', 'apiURL'])))) ||
      (chatShare?.openIM?.apiURL as string | undefined) ||
      '';
    if (!apiUrl) evidence.chatApi = { url: '', reachable: false, detail: 'chat has no openIM.apiURL' };
    else evidence.chatApi = { url: apiUrl, ...(await serviceBehind(spec, layout, runner, apiUrl)) };
  } else evidence.skipped.push({ check: 'chat.wiring', why: 'chat is not installed' });

  // Versions actually running vs the ones that belong together.
  const expected = expectedVersions(spec);
  for (const [name, version] of Object.entries(expected)) {
    const w = byName.get(name);
    if (w) evidence.versions.push({ component: name, expected: version, actual: imageTag(w) });
  }

  // Addresses for the network probes doctor runs from this machine.
  const minio = await configMapFile(spec, runner, CONFIG_MAPS.server, 'minio.yml');
  const os = spec.infrastructure.objectStorage;
  evidence.objectStorageProvider = os.provider;
  evidence.objectStorageUrl =
    (minio?.externalAddress as string | undefined) ||
    os.externalAddress ||
    (os.mode === 'bundled' ? publicUrls(spec).objectStorage : os.endpoint);
  if (spec.kubernetes.ingress.controller !== 'none') evidence.webSocketUrl = publicUrls(spec).wsAddr;
  else
    evidence.skipped.push({
      check: 'websocket.ingress',
      why: 'kubernetes.ingress.controller is none: no route to test',
    });
  return evidence;
}

/** chat reaches the API by a Service name: it must exist, expose the port and have ready endpoints. */
async function serviceBehind(
  spec: DeploySpec,
  layout: KubernetesLayout,
  runner: Runner,
  url: string,
): Promise<{ reachable: boolean; detail: string }> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { reachable: false, detail: `not a URL: ${url}` };
  }
  const [service, namespace] = parsed.hostname.split('.');
  const ns = namespace && namespace !== 'svc' ? namespace : layout.namespace;
  const port = Number(parsed.port || (parsed.protocol === 'https:' ? 443 : 80));
  if (!service || /^\d+$/.test(service))
    return { reachable: false, detail: `${parsed.hostname} is not a Service name inside the cluster` };
  const endpoints = await listItems(runner, [
    ...kubectl(spec, '-n', ns, 'get', 'endpoints', '--field-selector', `metadata.name=${service}`, '-o', 'json'),
  ]);
  const subsets = (endpoints[0]?.subsets ?? []) as Json[];
  if (endpoints.length === 0) return { reachable: false, detail: `Service ${ns}/${service} not found` };
  const ready = subsets.flatMap((s) => (s.addresses ?? []) as Json[]).length;
  const ports = subsets.flatMap((s) => ((s.ports ?? []) as Json[]).map((p) => Number(p.port)));
  if (ready === 0) return { reachable: false, detail: `Service ${ns}/${service} has no ready pods` };
  // Endpoints list target ports; the Service port may differ, so only warn through detail.
  return {
    reachable: true,
    detail: `Service ${ns}/${service}: ${ready} ready address(es), ports ${ports.join(', ') || '?'} (apiURL port ${port})`,
  };
}
