// What `doctor` reads from a live host install (see day2/doctor.ts): Kafka topics
// from the broker, a Mongo login with the configured authSource, proxy
// variables systemd would hand to the units, the shared secret in the
// server and chat config files, chat's apiURL, and the `current` links.

import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import type { DeploySpec } from '../../../config/schema.js';
import { HOST_INFRA_PORTS } from '../../../catalog/host-artifacts.js';
import type { LiveEvidence } from '../../day2/types.js';
import type { Runner } from '../../../process/runner.js';
import type { DeployState } from '../../../state/types.js';
import { mongoUri } from '../../../secrets/encode.js';
import { kafkaTopicsEvidence, mongoPingScript, parseMongoPing, PROXY_VARIABLES } from '../../day2/live-helpers.js';
import { binaryEndpoints, bundledInfra } from '../endpoints.js';
import { infraHome } from '../infrastructure.js';
import { binaryLayout } from '../layout.js';
import { openimModules } from '../units.js';
import { CADDY } from '../../../catalog/proxy.js';
import { servedCertificate } from '../proxy/tls-files.js';
import { proxied } from '../proxy/urls.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- parsed JSON walked by path; readers check what they use
type Json = Record<string, any>;

async function yamlFile(path: string): Promise<Json | undefined> {
  try {
    return parseYaml(await readFile(path, 'utf8')) as Json;
  } catch {
    return undefined;
  }
}

/** `A=1 "B=two words"` (systemctl show Environment=) → names. */
function envNames(value: string): string[] {
  return [...value.matchAll(/"([^"=]+)=[^"]*"|(\S+?)=\S*/g)].map((m) => m[1] ?? m[2]!).filter(Boolean);
}

export async function binaryEvidence(
  spec: DeploySpec,
  runner: Runner,
  state: DeployState,
  fetchImpl: typeof fetch = fetch,
): Promise<LiveEvidence> {
  const layout = binaryLayout(spec);
  const bundled = new Set(bundledInfra(spec));
  const endpoints = binaryEndpoints(spec);
  const evidence: LiveEvidence = { proxyEnv: [], versions: [], skipped: [] };

  const kafka = spec.infrastructure.kafka;
  if (bundled.has('kafka') || kafka.createTopics) {
    const bootstrap = bundled.has('kafka') ? `127.0.0.1:${HOST_INFRA_PORTS.kafka}` : kafka.address.join(',');
    const r = await runner.run(
      [`${infraHome(layout, 'kafka')}/bin/kafka-topics.sh`, '--bootstrap-server', bootstrap, '--describe'],
      { timeoutMs: 60_000 },
    );
    evidence.kafkaTopics = kafkaTopicsEvidence(r);
  } else
    evidence.skipped.push({
      check: 'kafka.topics',
      why: 'external Kafka without topic creation: run kafka-topics.sh --describe against it',
    });

  const m = endpoints.mongodb;
  const password = state.secrets['mongodb.password'];
  if (!password) evidence.skipped.push({ check: 'mongodb.auth', why: 'no MongoDB password in the state' });
  else {
    const authSource = m.authSource || m.database;
    const uri =
      m.uri || mongoUri({ username: m.username, password, hosts: m.address, database: m.database, authSource });
    const mongosh = bundled.has('mongodb') ? `${infraHome(layout, 'mongosh')}/bin/mongosh` : 'mongosh';
    const r = await runner
      .run([mongosh, '--quiet', '--nodb'], { input: mongoPingScript(uri), timeoutMs: 60_000 })
      .catch((e: Error) => ({ exitCode: 127, stdout: '', stderr: e.message }));
    const ping =
      r.exitCode === 0
        ? parseMongoPing(r.stdout)
        : { ok: false, detail: (r.stderr || r.stdout).trim().split('\n').pop() ?? `exit ${r.exitCode}` };
    evidence.mongoAuth = { ...ping, authSource, user: m.username };
  }

  // Proxy variables: the manager's environment reaches every unit unless the unit unsets it.
  const manager = await runner.run(['systemctl', 'show-environment'], { timeoutMs: 10_000 });
  const managerVars =
    manager.exitCode === 0
      ? manager.stdout
          .split('\n')
          .map((l) => l.split('=')[0]!)
          .filter((n) => PROXY_VARIABLES.includes(n))
      : [];
  const sample = openimModules(spec)
    .map((x) => x.instances[0])
    .filter((u): u is string => Boolean(u));
  if (sample.length) {
    const show = await runner.run(
      ['systemctl', 'show', '--property=Id,Environment,UnsetEnvironment', '--', ...sample],
      { timeoutMs: 10_000 },
    );
    const blocks = show.exitCode === 0 ? show.stdout.split(/\n\s*\n/) : [];
    for (const block of blocks) {
      const props = Object.fromEntries(
        block
          .split('\n')
          .filter((l) => l.includes('='))
          .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
      );
      const unset = new Set((props.UnsetEnvironment ?? '').split(/\s+/));
      const vars = [
        ...new Set([...managerVars, ...envNames(props.Environment ?? '').filter((n) => PROXY_VARIABLES.includes(n))]),
      ].filter((v) => !unset.has(v));
      if (vars.length && props.Id) evidence.proxyEnv.push({ where: `unit ${props.Id}`, vars });
    }
  }

  if (spec.openim.components.chat) {
    const serverShare = await yamlFile(`${layout.config.server}/share.yml`);
    const chatShare = await yamlFile(`${layout.config.chat}/share.yml`);
    const server = String(serverShare?.secret ?? '');
    const chat = String(chatShare?.openIM?.secret ?? '');
    evidence.sharedSecret = {
      serverSet: server !== '',
      chatSet: chat !== '',
      equal: server !== '' && server === chat,
      source: `${layout.config.server}/share.yml and ${layout.config.chat}/share.yml`,
    };
    const apiUrl = String(chatShare?.openIM?.apiURL ?? '');
    if (!apiUrl)
      evidence.chatApi = { url: '', reachable: false, detail: `no openIM.apiURL in ${layout.config.chat}/share.yml` };
    else {
      try {
        const response = await fetchImpl(apiUrl, { signal: AbortSignal.timeout(5000) });
        evidence.chatApi = { url: apiUrl, reachable: true, detail: `HTTP ${response.status}` };
      } catch (e) {
        evidence.chatApi = {
          url: apiUrl,
          reachable: false,
          detail: String((e as Error & { cause?: Error }).cause?.message ?? (e as Error).message),
        };
      }
    }
  } else evidence.skipped.push({ check: 'chat.wiring', why: 'chat is not installed' });

  for (const [product, expected] of [
    ['server', spec.openim.serverVersion],
    ['chat', spec.openim.chatVersion],
  ] as const) {
    if (product === 'chat' && !spec.openim.components.chat) continue;
    const l = await runner.run(['readlink', layout.current[product]], { timeoutMs: 5000 });
    evidence.versions.push({
      component: `${product} (${layout.current[product]})`,
      expected,
      actual: l.exitCode === 0 ? l.stdout.trim() : 'missing',
    });
  }

  const minio = await yamlFile(`${layout.config.server}/minio.yml`);
  evidence.objectStorageProvider = spec.infrastructure.objectStorage.provider;
  evidence.objectStorageUrl = (minio?.externalAddress as string | undefined) || endpoints.objectStorage.externalAddress;
  const ws = openimModules(spec)
    .find((x) => x.module.name === 'openim-msggateway')
    ?.module.ports.find((p) => p.name === 'ws')?.port;
  if (ws) evidence.webSocketUrl = `ws://127.0.0.1:${ws}/`;
  if (proxied(spec) && spec.binary.proxy.tls.mode !== 'none') {
    evidence.proxyCertificate = {
      mode: spec.binary.proxy.tls.mode,
      ...(await servedCertificate(spec, CADDY.ports.https)),
    };
  }
  return evidence;
}
