// `doctor` on a live install: OpenIM's known pain points (each from upstream
// issues, named where it is judged),
// each judged from evidence the target gathered and from network probes
// run here. Pure: the same evidence always gives the same findings, each
// saying what is wrong, why it matters and how to fix it.

import type { DeploySpec } from '../config/schema.js';
import { KAFKA_PARTITIONS, KAFKA_TOPICS } from '../catalog/modules.js';
import type { NetResult } from './net-probes.js';
import type { LiveEvidence } from '../targets/day2/types.js';

export interface Diagnosis {
  id: string;
  severity: 'error' | 'warn' | 'ok' | 'skip';
  what: string;
  why: string;
  fix: string;
}

export interface NetEvidence {
  objectStorage?: NetResult;
  /** One result per path spelling tried. */
  webSocket?: NetResult[];
}

const LOOPBACK = /^(localhost|127\.\d+\.\d+\.\d+|\[?::1\]?|0\.0\.0\.0)$/;

function hostOf(url: string): string | undefined {
  try {
    return new URL(url).hostname;
  } catch {
    return undefined;
  }
}

function objectStorage(spec: DeploySpec, evidence: LiveEvidence, net: NetEvidence): Diagnosis[] {
  const url = evidence.objectStorageUrl ?? '';
  const id = 'objectstorage.external-address';
  const fixBase =
    'set infrastructure.objectStorage.externalAddress to a URL clients reach (e.g. https://<domain>/im-minio-api) and re-run install';
  if (!url)
    return [
      {
        id,
        severity: 'error',
        what: 'no object storage external address is configured',
        why: 'file messages carry presigned URLs on this address; without it uploads and downloads fail',
        fix: fixBase,
      },
    ];
  if (/external_ip/i.test(url))
    return [
      {
        id,
        severity: 'error',
        what: `the object storage external address is the upstream placeholder (${url})`,
        why: 'clients get presigned URLs they cannot open: text works, files fail (open-im-server #2439)',
        fix: fixBase,
      },
    ];
  const host = hostOf(url);
  if (!host)
    return [
      {
        id,
        severity: 'error',
        what: `the object storage external address is not a URL: ${url}`,
        why: 'presigned URLs are built from it',
        fix: fixBase,
      },
    ];
  const findings: Diagnosis[] = [];
  if (
    host.endsWith('.svc') ||
    host.includes('.svc.') ||
    (spec.target === 'kubernetes' && !host.includes('.') && !LOOPBACK.test(host))
  ) {
    findings.push({
      id,
      severity: 'error',
      what: `the object storage external address ${url} is a cluster-internal name`,
      why: 'clients outside the cluster cannot resolve it, so file transfers fail',
      fix: fixBase,
    });
  } else if (LOOPBACK.test(host)) {
    findings.push({
      id,
      severity: spec.profile === 'dev' ? 'warn' : 'error',
      what: `the object storage external address ${url} is a loopback address`,
      why: 'it works only for clients on this very machine',
      fix: fixBase,
    });
  }
  const probe = net.objectStorage;
  if (probe) {
    if (probe.status === undefined)
      findings.push({
        id: 'objectstorage.reachable',
        severity: 'error',
        what: `${probe.url} cannot be reached from here: ${probe.error ?? 'no answer'}`,
        why: 'clients download and upload files through this address',
        fix: 'check DNS, the ingress route /im-minio-api and the firewall; then re-run doctor',
      });
    else if (evidence.objectStorageProvider === 'minio' && probe.status !== 200) {
      findings.push({
        id: 'objectstorage.reachable',
        severity: 'error',
        what: `${probe.url} answered HTTP ${probe.status}, not MinIO's 200`,
        why: 'the address reaches something, but not MinIO: presigned URLs will fail',
        fix: 'route the external address (and its path prefix) to the MinIO API port',
      });
    } else if (findings.length === 0)
      findings.push({
        id: 'objectstorage.reachable',
        severity: 'ok',
        what: `${probe.url} answers (HTTP ${probe.status})`,
        why: '',
        fix: '',
      });
  }
  return findings;
}

function kafka(evidence: LiveEvidence): Diagnosis[] {
  const k = evidence.kafkaTopics;
  if (!k) return [];
  if (!k.ok) {
    return [
      {
        id: 'kafka.topics',
        severity: 'error',
        what: `cannot list Kafka topics: ${k.error}`,
        why: 'OpenIM moves every message through Kafka; an unreachable broker or advertised listener stalls delivery (open-im-server #2518)',
        fix: 'check the broker is running and that its advertised listener is reachable from the OpenIM pods/hosts',
      },
    ];
  }
  const byName = new Map(k.topics.map((t) => [t.name, t.partitions]));
  const missing = KAFKA_TOPICS.filter((t) => !byName.has(t));
  const findings: Diagnosis[] = [];
  if (missing.length) {
    findings.push({
      id: 'kafka.topics',
      severity: 'error',
      what: `Kafka topics missing: ${missing.join(', ')}`,
      why: 'the OpenIM server does not create its topics; without them messages are not stored or pushed (open-im-server #2694)',
      fix: `create them with ${KAFKA_PARTITIONS} partitions each (kafka-topics.sh --create --topic <name> --partitions ${KAFKA_PARTITIONS}), or set infrastructure.kafka.createTopics=true and re-run install`,
    });
  }
  const few = KAFKA_TOPICS.filter((t) => (byName.get(t) ?? KAFKA_PARTITIONS) < KAFKA_PARTITIONS);
  if (few.length) {
    findings.push({
      id: 'kafka.partitions',
      severity: 'warn',
      what: `topics with fewer than ${KAFKA_PARTITIONS} partitions: ${few.map((t) => `${t} (${byName.get(t)})`).join(', ')}`,
      why: 'msgtransfer and push instances beyond the partition count sit idle',
      fix: `kafka-topics.sh --alter --topic <name> --partitions ${KAFKA_PARTITIONS}`,
    });
  }
  if (!findings.length)
    findings.push({
      id: 'kafka.topics',
      severity: 'ok',
      what: `Kafka topics present: ${KAFKA_TOPICS.map((t) => `${t} (${byName.get(t)})`).join(', ')}`,
      why: '',
      fix: '',
    });
  return findings;
}

function mongo(evidence: LiveEvidence): Diagnosis[] {
  const m = evidence.mongoAuth;
  if (!m) return [];
  if (m.ok)
    return [
      {
        id: 'mongodb.auth',
        severity: 'ok',
        what: `MongoDB login as ${m.user} with authSource ${m.authSource} works`,
        why: '',
        fix: '',
      },
    ];
  return [
    {
      id: 'mongodb.auth',
      severity: 'error',
      what: `MongoDB login as ${m.user} with authSource ${m.authSource} fails: ${m.detail}`,
      why: 'the user must exist in the authSource database; a root user lives in admin, and a data folder from an earlier install keeps its old users and passwords (open-im-server #2323)',
      fix: `create ${m.user} with readWrite in the database, or set infrastructure.mongodb.authSource=admin for a root user; for a stale bundled data folder, restore the password from the previous state or start with empty volumes`,
    },
  ];
}

function proxies(evidence: LiveEvidence): Diagnosis[] {
  if (!evidence.proxyEnv.length)
    return [
      { id: 'proxy.env', severity: 'ok', what: 'no HTTP proxy variables reach OpenIM processes', why: '', fix: '' },
    ];
  return evidence.proxyEnv.map((p) => ({
    id: 'proxy.env',
    severity: 'error' as const,
    what: `${p.where} has ${p.vars.join(', ')} set`,
    why: 'gRPC honours these variables: calls to etcd and between OpenIM services go to the proxy and fail (openim-docker #180)',
    fix: 'remove them from the unit/pod environment (systemctl set-environment, drop-ins, pod env), or add every internal address to NO_PROXY',
  }));
}

function chatWiring(evidence: LiveEvidence): Diagnosis[] {
  const out: Diagnosis[] = [];
  const s = evidence.sharedSecret;
  if (s) {
    if (!s.serverSet || !s.chatSet)
      out.push({
        id: 'chat.secret',
        severity: 'error',
        what: `the OpenIM secret is not set for ${!s.serverSet ? 'the server' : 'chat'} (${s.source})`,
        why: 'chat gets admin tokens from the server with this secret',
        fix: 're-run install: it writes the same generated secret to both',
      });
    else if (!s.equal)
      out.push({
        id: 'chat.secret',
        severity: 'error',
        what: 'server share.secret and chat openIM.secret differ',
        why: 'chat cannot get admin tokens from the server: login and registration fail (chat #703)',
        fix: 'set openim.secret once and re-run install, which writes it to both',
      });
    else out.push({ id: 'chat.secret', severity: 'ok', what: 'server and chat use the same secret', why: '', fix: '' });
  }
  const api = evidence.chatApi;
  if (api) {
    if (api.reachable)
      out.push({
        id: 'chat.api-url',
        severity: 'ok',
        what: `chat reaches the server API at ${api.url}: ${api.detail}`,
        why: '',
        fix: '',
      });
    else
      out.push({
        id: 'chat.api-url',
        severity: 'error',
        what: `chat's apiURL ${api.url || '(empty)'} does not lead to a running server API: ${api.detail}`,
        why: 'chat calls the server API for every account operation (chat #547)',
        fix: 'check openim-api is running; re-run install so chat gets the right apiURL',
      });
  }
  return out;
}

function versions(evidence: LiveEvidence): Diagnosis[] {
  const skewed = evidence.versions.filter((v) => v.actual !== v.expected);
  if (!evidence.versions.length) return [];
  if (!skewed.length)
    return [
      {
        id: 'versions',
        severity: 'ok',
        what: `versions match (${evidence.versions.length} components)`,
        why: '',
        fix: '',
      },
    ];
  return skewed.map((v) => ({
    id: 'versions',
    severity: 'error' as const,
    what: `${v.component} runs ${v.actual}, expected ${v.expected}`,
    why: 'the admin front, chat and server must come from matching releases; mixed versions break the admin console and APIs (open-im-server #3463)',
    fix: 're-run install (or finish the interrupted upgrade) so every component is at the catalog version',
  }));
}

function webSocket(evidence: LiveEvidence, net: NetEvidence): Diagnosis[] {
  const results = net.webSocket;
  if (!results?.length) return [];
  const answered = results.filter((r) => r.status !== undefined && r.status !== 404);
  const url = evidence.webSocketUrl ?? results[0]!.url;
  if (answered.length === results.length)
    return [
      {
        id: 'websocket.route',
        severity: 'ok',
        what: `${url} answers the WebSocket handshake (HTTP ${answered.map((r) => r.status).join('/')})`,
        why: '',
        fix: '',
      },
    ];
  if (answered.length) {
    const bad = results.find((r) => !answered.includes(r))!;
    return [
      {
        id: 'websocket.route',
        severity: 'warn',
        what: `${answered[0]!.url} answers the handshake but ${bad.url} gives ${bad.status ?? bad.error}`,
        why: 'SDKs configured with the other spelling of the path cannot connect (open-im-server #2983)',
        fix: 'route both /msg_gateway and /msg_gateway/ to openim-msggateway, or tell SDK users the exact wsAddr',
      },
    ];
  }
  const first = results[0]!;
  return [
    {
      id: 'websocket.route',
      severity: 'error',
      what:
        first.status === 404
          ? `${url} answers 404 to a WebSocket handshake`
          : `${url} cannot be reached: ${first.error ?? `HTTP ${first.status}`}`,
      why: 'SDKs keep a WebSocket to msggateway for every message; without it clients never receive anything (open-im-server #2537)',
      fix: 'route /msg_gateway to the msggateway ws port with Upgrade and Connection headers passed through (re-run install to restore the ingress)',
    },
  ];
}

/** The proxy's certificate (binary.proxy): served, and how long it has left. Caddy renews what it obtains; a provided one is the operator's. */
export function proxyCertificate(evidence: LiveEvidence, now = new Date()): Diagnosis[] {
  const c = evidence.proxyCertificate;
  if (!c) return [];
  const id = 'proxy.certificate';
  if ('error' in c)
    return [
      {
        id,
        severity: 'error',
        what: `the proxy serves no certificate on 443: ${c.error}`,
        why: 'clients reach OpenIM only through the proxy',
        fix: 'systemctl status openim-proxy; journalctl -u openim-proxy',
      },
    ];
  const days = Math.floor((Date.parse(c.notAfter) - now.getTime()) / 86_400_000);
  const what = `the proxy's certificate ${c.names} from ${c.issuer} (${c.mode}) is valid until ${c.notAfter} (${days} days left)`;
  const renew =
    c.mode === 'provided'
      ? 'put a renewed certificate at binary.proxy.tls.provided.cert/key and re-run install'
      : 'Caddy renews it itself: journalctl -u openim-proxy says why it could not';
  if (days < 0)
    return [
      { id, severity: 'error', what: `${what}: expired`, why: 'clients refuse an expired certificate', fix: renew },
    ];
  if (c.mode === 'provided' && days < 14)
    return [{ id, severity: 'warn', what, why: 'nothing renews a provided certificate for you', fix: renew }];
  return [{ id, severity: 'ok', what, why: '', fix: '' }];
}

export function diagnose(spec: DeploySpec, evidence: LiveEvidence, net: NetEvidence): Diagnosis[] {
  return [
    ...proxyCertificate(evidence),
    ...objectStorage(spec, evidence, net),
    ...kafka(evidence),
    ...mongo(evidence),
    ...proxies(evidence),
    ...chatWiring(evidence),
    ...versions(evidence),
    ...webSocket(evidence, net),
    ...evidence.skipped.map((s) => ({
      id: s.check,
      severity: 'skip' as const,
      what: `not checked: ${s.check}`,
      why: s.why,
      fix: '',
    })),
  ];
}

export function formatDiagnosis(d: Diagnosis): string {
  const mark = { error: '✗', warn: '!', ok: '✓', skip: '-' }[d.severity];
  const lines = [`${mark} ${d.what}`];
  if (d.severity === 'skip') lines[0] = `${mark} ${d.what}: ${d.why}`;
  else {
    if (d.why) lines.push(`    why: ${d.why}`);
    if (d.fix) lines.push(`    fix: ${d.fix}`);
  }
  return lines.join('\n');
}
