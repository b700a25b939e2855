// The proxy's part of the host plan (binary.proxy.enabled):
//   install (Caddy's executable, its folders, its config, provided certificate copies)
//   → start once OpenIM answers → listening on 443/80 → self-signed: the internal CA's
//   root copied to <configDir>/tls/ca.crt for clients. The unit file is written with
//   the others (units step). A changed config or executable restarts it; nothing else does.

import { createHash } from 'node:crypto';
import type { DeploySpec } from '../../../config/schema.js';
import { CADDY } from '../../../catalog/proxy.js';
import { HOST_ARCHIVES } from '../../../catalog/host-artifacts.js';
import type { Action, Step, WaitAction } from '../../../plan/types.js';
import type { PlannedArtifact } from '../artifacts.js';
import type { BinaryLayout } from '../layout.js';
import { BINARY_STEP, fetchStepId } from '../step-ids.js';
import type { UnitText } from '../units.js';
import { caddyConfig } from './caddy-config.js';
import { PROXY_UNIT, proxyPaths } from './paths.js';
import { proxyUnit } from './unit.js';
import { proxied, proxyUrls } from './urls.js';
import { exec } from '../../../plan/actions.js';

export interface ProxyPlan {
  steps: Step[];
  units: UnitText[];
  /** Steps `verify` must wait for. */
  ready: string[];
  /** CA file clients (and verify) trust: self-signed only. */
  caFile?: string;
  summary: string[];
}

export interface ProxyContext {
  spec: DeploySpec;
  layout: BinaryLayout;
  artifact?: PlannedArtifact;
  /** Step ids after which OpenIM answers (health of server and chat). */
  after: string[];
}

export function proxyPlan(ctx: ProxyContext): ProxyPlan {
  const { spec, layout, artifact } = ctx;
  if (!proxied(spec) || !artifact) return { steps: [], units: [], ready: [], summary: [] };
  const paths = proxyPaths(layout);
  const user = layout.user;
  const tls = spec.binary.proxy.tls;
  const config = `${JSON.stringify(caddyConfig(spec, paths), null, 2)}\n`;
  const unit = proxyUnit(spec, layout, paths);

  const provided: Action[] =
    tls.mode === 'provided'
      ? [
          // Copies Caddy (running as the OpenIM user) can read; the originals keep their owner and mode.
          exec(['install', '-m', '0640', '-o', 'root', '-g', user, tls.provided.cert, paths.providedCert]),
          exec(['install', '-m', '0640', '-o', 'root', '-g', user, tls.provided.key, paths.providedKey]),
        ]
      : [];
  const install: Step = {
    id: BINARY_STEP.proxyInstall,
    title: `Caddy ${CADDY.version} (reverse proxy, TLS ${tls.mode}) in ${paths.home}`,
    phase: 'config',
    component: 'proxy',
    needs: [BINARY_STEP.dirs, fetchStepId(artifact.id)],
    actions: [
      { kind: 'extract', archive: artifact.path, to: paths.home, strip: HOST_ARCHIVES.caddy.strip },
      exec(['install', '-d', '-m', '0750', '-o', 'root', '-g', user, paths.configDir]),
      exec(['install', '-d', '-m', '0700', '-o', user, '-g', user, paths.storage]),
      ...(tls.mode === 'self-signed'
        ? [exec(['install', '-d', '-m', '0755', paths.caFile.replace(/\/[^/]+$/, '')])]
        : []),
      ...provided,
      { kind: 'write', path: paths.config, mode: 0o640, content: config, render: 'proxy/caddy.json' },
      exec(['chown', `root:${user}`, paths.config]),
    ],
  };
  const digest = createHash('sha256')
    .update(`${artifact.fetch.sha256}\0${config}\0${unit.text}`)
    .digest('hex')
    .slice(0, 16);
  const start: Step = {
    id: BINARY_STEP.startProxy,
    title: 'Start the reverse proxy (openim-proxy.service)',
    phase: 'verify',
    component: 'proxy',
    needs: [BINARY_STEP.units, install.id, ...ctx.after],
    actions: [
      { kind: 'note', text: `proxy ${digest}: restarted when its executable, config or unit change` },
      exec(['systemctl', 'enable', PROXY_UNIT]),
      exec(['systemctl', 'restart', PROXY_UNIT]),
    ],
  };
  const tcp = (port: number): WaitAction => ({
    kind: 'wait',
    probe: { kind: 'tcp', host: '127.0.0.1', port },
    timeoutSeconds: 120,
    intervalSeconds: 2,
  });
  const ports = tls.mode === 'none' ? [CADDY.ports.http] : [CADDY.ports.https, CADDY.ports.http];
  const health: Step = {
    id: BINARY_STEP.proxyHealth,
    title: `Reverse proxy listening (${ports.join(', ')})`,
    phase: 'verify',
    component: 'proxy',
    needs: [start.id],
    actions: [
      ...ports.map(tcp),
      {
        kind: 'wait',
        probe: { kind: 'exec', argv: ['systemctl', 'is-active', '--quiet', PROXY_UNIT] },
        timeoutSeconds: 60,
        intervalSeconds: 2,
      },
    ],
  };
  const steps = [install, start, health];
  let caFile: string | undefined;
  if (tls.mode === 'self-signed') {
    caFile = paths.caFile;
    steps.push({
      id: BINARY_STEP.proxyCa,
      title: `Internal CA root for clients: ${paths.caFile}`,
      phase: 'verify',
      component: 'proxy',
      needs: [health.id],
      actions: [
        // Caddy makes its CA when it starts (a first start generates the root).
        {
          kind: 'wait',
          probe: { kind: 'exec', argv: ['test', '-s', paths.internalRoot] },
          timeoutSeconds: 60,
          intervalSeconds: 2,
        },
        exec(['install', '-m', '0644', '-o', 'root', '-g', 'root', paths.internalRoot, paths.caFile]),
      ],
    });
  }
  const urls = proxyUrls(spec);
  const summary = [
    `proxy: ${urls.base} (Caddy ${CADDY.version}, TLS ${tls.mode}${tls.mode === 'acme' ? `, ${tls.acme.directory || (tls.acme.staging ? "Let's Encrypt staging" : "Let's Encrypt")}` : ''}); OpenIM's own ports listen on loopback`,
    ...(caFile ? [`clients trust the internal CA: ${caFile} (copy it to each client; verify uses it)`] : []),
  ];
  return { steps, units: [unit], ready: [steps.at(-1)!.id], ...(caFile ? { caFile } : {}), summary };
}
