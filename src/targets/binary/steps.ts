// The host plan, in order:
//   fetch + verify every artifact (into the work dir: a bad checksum stops
//   the run before anything is installed) → user → directories → extract →
//   bundled infrastructure → config files → units + daemon-reload → switch
//   `current` → start infrastructure (users, topics) → wait for every
//   infrastructure address → start the server → health (ports, admin token)
//   → start chat → health → verify (the checks of `openim-deploy verify`) → summary. Monitoring (monitoring/steps.ts) starts
//   after the infrastructure, beside OpenIM: no OpenIM step needs it.
// Start steps carry a digest of what they start, so a re-run with nothing
// changed restarts nothing, and any change to config, units or binaries
// restarts exactly the product it touches.

import { createHash } from 'node:crypto';
import type { DeploySpec } from '../../config/schema.js';
import type { BinaryFacts } from '../../facts/types.js';
import { OPENIM_EXPORTS, substitute, type HostArch } from '../../catalog/host-artifacts.js';
import { CHAT_ADMIN_LOGIN, OPENIM_DEFAULTS } from '../../catalog/openim-versions.js';
import { chatAdminPasswordAction } from '../../chat-admin/action.js';
import { PUBLIC_PORTS } from '../../catalog/modules.js';
import { generateOpenIMConfig, serialiseConfigFiles } from '../../openim-config/index.js';
import type { Step, WaitAction } from '../../plan/types.js';
import { secretRef } from '../../secrets/secrets.js';
import { verifyOff, verifyPlan, verifyProbe } from '../verify-plan.js';
import { binarySource, goBuildAction } from '../../build/source.js';
import { OPENIM_GO_BUILDS } from '../../catalog/go-builds.js';
import { plannedArtifact, type ArtifactId, type PlannedArtifact } from './artifacts.js';
import { mongoToolsStep, mongoToolsWanted } from './mongo-tools.js';
import { binaryEndpoints, infraAddresses } from './endpoints.js';
import { infraArtifacts, infraPlan, type InfraPlan } from './infrastructure.js';
import { binaryLayout, targetArch, type BinaryLayout, type Product } from './layout.js';
import { monitoringArtifacts, monitoringPlan, type MonitoringPlan } from './monitoring/steps.js';
import { proxyPlan, type ProxyPlan } from './proxy/steps.js';
import { proxied, proxyUrls } from './proxy/urls.js';
import {
  BINARY_STEP,
  buildStepId,
  configStepId,
  extractStepId,
  fetchStepId,
  healthStepId,
  startStepId,
  switchStepId,
} from './step-ids.js';
import {
  CHECK_UNITS,
  openimModules,
  openimUnitFiles,
  TARGETS,
  unitWriteActions,
  type ModuleUnits,
  type UnitText,
} from './units.js';
import { exec } from '../../plan/actions.js';
import { systemUserAction } from './system-user.js';

const tcp = (port: number, timeoutSeconds = 120): WaitAction => ({
  kind: 'wait',
  probe: { kind: 'tcp', host: '127.0.0.1', port },
  timeoutSeconds,
  intervalSeconds: 2,
});

function digest(parts: string[]): string {
  const hash = createHash('sha256');
  for (const p of parts) hash.update(`${p}\0`);
  return hash.digest('hex').slice(0, 16);
}

/** Every OpenIM config file as YAML, per product (secrets as placeholders). */
export function binaryConfigFiles(spec: DeploySpec, layout: BinaryLayout): Record<Product, Record<string, string>> {
  // The journal gets every line (isStdout). File logs only with binary.fileLogs: an empty
  // storageLocation adds no file writer (openimsdk/tools log/zap.go, `if logLocation != ""`).
  const logs = (p: Product) => (spec.binary.fileLogs ? layout.logs[p] : '');
  const generated = generateOpenIMConfig(spec, binaryEndpoints(spec), {
    secretMode: 'inline',
    logToStdout: true,
    logDirectory: logs('server'),
    instances: Object.fromEntries(openimModules(spec).map((m) => [m.module.name, m.instances.length])),
  });
  const chat = { ...generated.chat };
  if (chat['log.yml']) chat['log.yml'] = { ...chat['log.yml'], storageLocation: logs('chat') };
  return { server: serialiseConfigFiles(generated.server), chat: serialiseConfigFiles(chat) };
}

function releaseSteps(
  product: Product,
  artifact: PlannedArtifact,
  layout: BinaryLayout,
  arch: string,
  from: string,
): Step {
  const exp = OPENIM_EXPORTS[product];
  return {
    id: extractStepId(product),
    title: `Unpack OpenIM ${product} into ${layout.release[product]}`,
    phase: 'prepare',
    component: product,
    needs: [BINARY_STEP.dirs, from],
    actions: [
      {
        kind: 'extract',
        archive: artifact.path,
        to: layout.release[product],
        ...(exp.strip ? { strip: exp.strip } : {}),
        select: [
          { from: substitute(exp.binDir, { arch }), to: 'bin' },
          { from: substitute(exp.toolsDir, { arch }), to: 'tools' },
        ],
      },
    ],
  };
}

/** TCP ports every instance of a module opens (grpc, http, ws; not metrics): instance i on base + i. */
function instancePorts(m: ModuleUnits): number[] {
  return m.module.ports.filter((p) => p.name !== 'metrics').flatMap((p) => m.instances.map((_, i) => p.port + i));
}

/** What every step builder of the host plan reads: the spec and what is derived from it once. */
interface BinaryPlanContext {
  spec: DeploySpec;
  layout: BinaryLayout;
  arch: HostArch;
  products: Product[];
  /** Products built from source (binary.source build) instead of fetched. */
  built: Product[];
  artifacts: Partial<Record<ArtifactId, PlannedArtifact>>;
  infra: InfraPlan;
  monitoring: MonitoringPlan;
  configs: Record<Product, Record<string, string>>;
  openimUnits: UnitText[];
  proxy: ProxyPlan;
}

export function binarySteps(spec: DeploySpec, facts: BinaryFacts): Step[] {
  const ctx = binaryPlanContext(spec, facts);
  const adminPassword = chatAdminPasswordSteps(ctx);
  return [
    // 1. Fetch and verify (or build from source), before anything on the host changes.
    ...fetchSteps(ctx),
    ...buildSteps(ctx),
    // 2. User and directories.
    userStep(ctx),
    dirsStep(ctx),
    // 3. Releases and bundled infrastructure.
    ...ctx.products.map((p) =>
      releaseSteps(p, ctx.artifacts[p]!, ctx.layout, ctx.arch, ctx.built.includes(p) ? buildStepId(p) : fetchStepId(p)),
    ),
    ...ctx.infra.steps,
    ...(mongoToolsWanted(spec) ? [mongoToolsStep(ctx.layout, ctx.artifacts.mongotools!)] : []),
    // 4. Config files: 0640 root:<user>, secrets written only on the host.
    ...ctx.products.map((p) => configStep(ctx, p)),
    // 5. Units.
    unitsStep(ctx),
    // 6. Switch `current` to this release.
    ...ctx.products.map((p) => switchStep(ctx, p)),
    // 7. Infrastructure: start, then users and topics, then wait for every address (bundled or external).
    ...infraStartSteps(ctx),
    // 8. Server, then chat: enable, (re)start the product's target, wait until it answers.
    ...ctx.products.flatMap((p) => [productStartStep(ctx, p), productHealthStep(ctx, p)]),
    // 8b. The chat admin console: chat seeds a well-known password; replace it with the install's own.
    ...adminPassword,
    ...ctx.proxy.steps,
    // 9. The real checks of `openim-deploy verify`, once everything is up.
    verifyStep(ctx, adminPassword),
    // 10. Monitoring, beside OpenIM.
    ...ctx.monitoring.steps,
    // 11. Summary: where things are, never a secret value.
    summaryStep(ctx, adminPassword),
  ];
}

function binaryPlanContext(spec: DeploySpec, facts: BinaryFacts): BinaryPlanContext {
  const layout = binaryLayout(spec);
  const arch = targetArch(spec, facts.host?.arch);
  const products: Product[] = spec.openim.components.chat ? ['server', 'chat'] : ['server'];
  const built = products.filter((p) => binarySource(spec, p) === 'build');
  const artifacts = Object.fromEntries(
    allArtifactIds(spec, products, arch).map((id) => [id, plannedArtifact(spec, id, arch, layout)]),
  ) as Partial<Record<ArtifactId, PlannedArtifact>>;
  const packageManager = facts.host?.packageManager ?? 'apt';
  const installedPackages = facts.host?.installedPackages ?? [];
  const infra = infraPlan({ spec, layout, arch, packageManager, installedPackages, artifacts });
  const monitoring = monitoringPlan({
    spec,
    layout,
    arch,
    packageManager,
    installedPackages,
    artifacts,
    after: infra.unitNames.length ? [BINARY_STEP.startInfra] : [],
  });
  const configs = binaryConfigFiles(spec, layout);
  const openimUnits = openimUnitFiles({ spec, layout, infraUnits: infra.unitNames });
  // The reverse proxy (binary.proxy): starts once OpenIM answers; verify goes through it.
  const proxy = proxyPlan({
    spec,
    layout,
    ...(artifacts.caddy ? { artifact: artifacts.caddy } : {}),
    after: products.map((p) => healthStepId(p)),
  });
  return { spec, layout, arch, products, built, artifacts, infra, monitoring, configs, openimUnits, proxy };
}

/** Every artifact the plan uses: the products, bundled infrastructure, monitoring archives, MongoDB tools, Caddy. */
function allArtifactIds(spec: DeploySpec, products: Product[], arch: HostArch): ArtifactId[] {
  return [
    ...products,
    ...infraArtifacts(spec),
    ...monitoringArtifacts(spec, arch),
    ...(mongoToolsWanted(spec) ? (['mongotools'] as const) : []),
    ...(proxied(spec) ? (['caddy'] as const) : []),
  ];
}

/** Artifacts fetched (the built products are not). */
function fetchedArtifactIds(ctx: BinaryPlanContext): ArtifactId[] {
  return allArtifactIds(ctx.spec, ctx.products, ctx.arch).filter((id) => !(ctx.built as ArtifactId[]).includes(id));
}

function fetchSteps(ctx: BinaryPlanContext): Step[] {
  return fetchedArtifactIds(ctx).map((id) => ({
    id: fetchStepId(id),
    title: `Fetch and verify ${ctx.artifacts[id]!.title}`,
    phase: 'prepare',
    component: id,
    needs: [],
    retries: 2,
    actions: [ctx.artifacts[id]!.fetch],
  }));
}

function buildSteps(ctx: BinaryPlanContext): Step[] {
  return ctx.built.map((p) => {
    const action = goBuildAction(ctx.spec, p, ctx.arch, ctx.artifacts[p]!.path);
    return {
      id: buildStepId(p),
      title: `Build OpenIM ${p} ${action.version} from ${action.module} (go, linux/${ctx.arch}; cached)`,
      phase: 'prepare',
      component: p,
      needs: [],
      actions: [action],
    };
  });
}

/** The service user, once every artifact is fetched and verified (a refused one changes nothing on the host). */
function userStep(ctx: BinaryPlanContext): Step {
  const { layout } = ctx;
  return {
    id: BINARY_STEP.user,
    title: `System user ${layout.user}`,
    phase: 'prepare',
    needs: [...fetchedArtifactIds(ctx).map(fetchStepId), ...ctx.built.map(buildStepId)],
    actions: [systemUserAction(layout.user, layout.dataDir)],
  };
}

function dirsStep(ctx: BinaryPlanContext): Step {
  const { spec, layout, products, infra } = ctx;
  const user = layout.user;
  const ownedDirs = products.flatMap((p) => [layout.work[p], layout.logs[p]]);
  const configDirs = [...products.map((p) => layout.config[p]), ...infra.configDirs];
  // The monitoring user must pass through to <configDir>/monitoring and <dataDir>/monitoring (x, not r: it lists nothing).
  const topMode = ctx.monitoring.steps.length > 0 ? '0751' : '0750';
  return {
    id: BINARY_STEP.dirs,
    title: 'Directories',
    phase: 'prepare',
    needs: [BINARY_STEP.user],
    actions: [
      exec(['install', '-d', '-m', '0755', layout.prefix, `${layout.prefix}/chat`, layout.infraRoot, layout.unitDir]),
      exec(['install', '-d', '-m', topMode, '-o', 'root', '-g', user, layout.configDir]),
      exec(['install', '-d', '-m', '0750', '-o', 'root', '-g', user, ...configDirs]),
      exec(['install', '-d', '-m', topMode, '-o', user, '-g', user, layout.dataDir]),
      exec(['install', '-d', '-m', '0750', '-o', user, '-g', user, ...ownedDirs]),
      ...infra.dataDirs.map((d) => exec(['install', '-d', '-m', d.mode, '-o', user, '-g', user, d.path])),
      exec(['install', '-d', '-m', '0700', spec.binary.stateDir]),
    ],
  };
}

function configStep(ctx: BinaryPlanContext, p: Product): Step {
  const { layout } = ctx;
  const files = Object.entries(ctx.configs[p]);
  return {
    id: configStepId(p),
    title: `OpenIM ${p} config (${files.length} files in ${layout.config[p]})`,
    phase: 'config',
    component: p,
    needs: [BINARY_STEP.dirs],
    actions: [
      ...files.map(([name, content]) => ({
        kind: 'write' as const,
        path: `${layout.config[p]}/${name}`,
        mode: 0o640,
        content,
        render: `config/${p}/${name}`,
      })),
      exec(['chown', `root:${layout.user}`, ...files.map(([name]) => `${layout.config[p]}/${name}`)]),
    ],
  };
}

function unitsStep(ctx: BinaryPlanContext): Step {
  const { layout } = ctx;
  const allUnits: UnitText[] = [...ctx.infra.units, ...ctx.openimUnits, ...ctx.proxy.units];
  return {
    id: BINARY_STEP.units,
    title: `systemd units (${allUnits.length} files in ${layout.unitDir})`,
    phase: 'config',
    needs: [BINARY_STEP.dirs],
    actions: unitWriteActions(layout.unitDir, allUnits),
  };
}

/** Points `current` at this release, atomically: a new link renamed over the old one. */
function switchStep(ctx: BinaryPlanContext, p: Product): Step {
  const current = ctx.layout.current[p];
  const version = p === 'server' ? ctx.spec.openim.serverVersion : ctx.spec.openim.chatVersion;
  return {
    id: switchStepId(p),
    title: `${current} → ${version}`,
    phase: p,
    component: p,
    needs: [extractStepId(p)],
    actions: [exec(['ln', '-sfn', version, `${current}.new`]), exec(['mv', '-T', '-f', `${current}.new`, current])],
  };
}

/** Start the bundled units (restarted when their digest moves), then users and topics, then every address reachable. */
function infraStartSteps(ctx: BinaryPlanContext): Step[] {
  const { infra } = ctx;
  const steps: Step[] = [];
  const infraNeeds: string[] = [];
  if (infra.unitNames.length > 0) {
    const infraDigest = digest([
      ...infra.units.map((u) => u.text),
      ...infra.steps.map((s) => JSON.stringify(s.actions)),
    ]);
    steps.push({
      id: BINARY_STEP.startInfra,
      title: `Start ${infra.unitNames.join(', ')}`,
      phase: 'infrastructure',
      needs: [BINARY_STEP.units, ...infra.steps.map((s) => s.id)],
      actions: [
        { kind: 'note', text: `infrastructure ${infraDigest}: restarted when its units or config change` },
        exec(['systemctl', 'enable', TARGETS.all, TARGETS.infra, ...infra.unitNames]),
        exec(['systemctl', 'restart', ...infra.unitNames]),
      ],
    });
    infraNeeds.push(BINARY_STEP.startInfra);
  }
  for (const s of infra.setup) {
    s.needs = [...s.needs, ...(infra.unitNames.length ? [BINARY_STEP.startInfra] : [BINARY_STEP.dirs])];
    steps.push(s);
    infraNeeds.push(s.id);
  }
  steps.push({
    id: BINARY_STEP.infraReady,
    title: 'Infrastructure reachable',
    phase: 'infrastructure',
    // After the verified fetches even when everything is external: a refused artifact stops the run at once.
    needs: [BINARY_STEP.dirs, ...infraNeeds],
    retries: 1,
    actions: infraAddresses(ctx.spec).map(
      ({ address }) =>
        ({ kind: 'wait', probe: { kind: 'tcp', ...address }, timeoutSeconds: 180, intervalSeconds: 2 }) as WaitAction,
    ),
  });
  return steps;
}

/** Enable and (re)start a product's target; restarted only when its binaries, config or units changed. */
function productStartStep(ctx: BinaryPlanContext, p: Product): Step {
  const { spec, products } = ctx;
  const mine = openimModules(spec).filter((m) => m.product === p);
  const target = p === 'server' ? TARGETS.server : TARGETS.chat;
  // A build is identified by its module version (its bytes depend on the local toolchain, recorded in the journal).
  const artifactPin = ctx.built.includes(p)
    ? `build:${OPENIM_GO_BUILDS[p].module}@${p === 'server' ? spec.openim.serverVersion : spec.openim.chatVersion}`
    : ctx.artifacts[p]!.fetch.sha256;
  const productDigest = digest([artifactPin, ...Object.values(ctx.configs[p]), ...ctx.openimUnits.map((u) => u.text)]);
  return {
    id: startStepId(p),
    title: `Start OpenIM ${p} (${mine.reduce((n, m) => n + m.instances.length, 0)} processes)`,
    phase: p,
    component: p,
    needs: [
      switchStepId(p),
      configStepId(p),
      BINARY_STEP.units,
      p === 'server' ? BINARY_STEP.infraReady : healthStepId('server'),
    ],
    actions: [
      // Config files hold secrets: their placeholders are part of what the digest stands for.
      { kind: 'note', text: `${p} ${productDigest}: restarted when its binaries, config or units change` },
      exec(['systemctl', 'enable', TARGETS.all, target, CHECK_UNITS[p], ...mine.flatMap((m) => m.instances)]),
      exec(['systemctl', 'restart', target]),
      // The last product up brings openim.target up too, as a boot would (not earlier: it would start chat before the server answers).
      ...(p === products.at(-1) ? [exec(['systemctl', 'start', TARGETS.all])] : []),
    ],
  };
}

/** Every port open, every instance active, and for the server an admin token. */
function productHealthStep(ctx: BinaryPlanContext, p: Product): Step {
  const mine = openimModules(ctx.spec).filter((m) => m.product === p);
  const ports = [...new Set(mine.flatMap(instancePorts))].sort((a, b) => a - b);
  return {
    id: healthStepId(p),
    title: p === 'server' ? 'OpenIM server answers (ports, admin token)' : 'OpenIM chat answers',
    phase: 'verify',
    component: p,
    needs: [startStepId(p)],
    actions: [
      ...ports.map((port) => tcp(port, 300)),
      // Processes without a port (crontask, msgtransfer) count too: every instance must be running, not restarting.
      {
        kind: 'wait' as const,
        probe: {
          kind: 'exec' as const,
          argv: ['systemctl', 'is-active', '--quiet', CHECK_UNITS[p], ...mine.flatMap((m) => m.instances)],
        },
        timeoutSeconds: 120,
        intervalSeconds: 2,
      },
      ...(p === 'server'
        ? [
            {
              kind: 'wait' as const,
              probe: {
                kind: 'openim-admin-token' as const,
                apiUrl: `http://127.0.0.1:${PUBLIC_PORTS.api}`,
                secret: secretRef('openim.secret'),
                adminUserID: OPENIM_DEFAULTS.imAdminUserID,
              },
              timeoutSeconds: 180,
              intervalSeconds: 3,
            },
          ]
        : []),
    ],
  };
}

function chatAdminPasswordSteps(ctx: BinaryPlanContext): Step[] {
  if (!ctx.spec.openim.components.chat) return [];
  return [
    {
      id: BINARY_STEP.chatAdminPassword,
      title: 'Chat admin console password (replaces the seeded default)',
      phase: 'chat',
      component: 'chat',
      needs: [healthStepId('chat')],
      actions: [chatAdminPasswordAction({ url: `http://127.0.0.1:${PUBLIC_PORTS.adminApi}` })],
    },
  ];
}

function verifyStep(ctx: BinaryPlanContext, adminPassword: Step[]): Step {
  const { spec } = ctx;
  const off = verifyOff(spec);
  return {
    id: BINARY_STEP.verify,
    title:
      'Verify: tokens, throw-away users, WebSocket push, stored message, file upload/download, chat and admin login',
    phase: 'verify',
    needs: [...ctx.products.map(healthStepId), ...adminPassword.map((s) => s.id), ...ctx.proxy.ready],
    ...(off ? { notApplicable: off } : {}),
    // Chat's first answers and the first push after a start can lag: a few attempts.
    actions: off
      ? []
      : [
          {
            kind: 'wait',
            probe: verifyProbe(spec, verifyPlan(spec).endpoints),
            timeoutSeconds: 300,
            intervalSeconds: 10,
          },
        ],
  };
}

function summaryStep(ctx: BinaryPlanContext, adminPassword: Step[]): Step {
  return {
    id: BINARY_STEP.summary,
    title: 'Summary',
    phase: 'summary',
    needs: [BINARY_STEP.verify, ...adminPassword.map((s) => s.id)],
    actions: summaryLines(ctx).map((text) => ({ kind: 'note' as const, text })),
  };
}

/** Where things are, never a secret value. */
function summaryLines(ctx: BinaryPlanContext): string[] {
  const { spec, layout } = ctx;
  const chat = spec.openim.components.chat;
  const host = spec.openim.domain || '<this host>';
  const urls = proxyUrls(spec);
  return [
    ...(proxied(spec)
      ? [
          `SDK: apiAddr ${urls.apiAddr}, wsAddr ${urls.wsAddr}; files ${urls.objectStorage}`,
          ...(chat ? [`chat API ${urls.chatApi}, admin API ${urls.adminApi} (admin ${CHAT_ADMIN_LOGIN})`] : []),
          ...ctx.proxy.summary,
        ]
      : [
          `OpenIM API http://${host}:${PUBLIC_PORTS.api}, WebSocket ws://${host}:${PUBLIC_PORTS.msgGateway}`,
          ...(chat
            ? [
                `chat API http://${host}:${PUBLIC_PORTS.chatApi}, admin API http://${host}:${PUBLIC_PORTS.adminApi} (admin ${CHAT_ADMIN_LOGIN})`,
              ]
            : []),
        ]),
    `credentials: ${spec.binary.stateDir}/state.json (root only); config in ${layout.configDir} (0640 root:${layout.user})`,
    `status: systemctl list-units 'openim*'; logs: journalctl -u 'openim-*' -f, e.g. journalctl -u openim-api@0`,
    `binaries: ${layout.current.server}${chat ? ` and ${layout.current.chat}` : ''} (switch the link to roll back)`,
    ...(spec.openim.components.webFront || spec.openim.components.adminFront
      ? ['the web and admin fronts ship as container images only: the binary target does not install them']
      : []),
    ...ctx.monitoring.summary,
  ];
}
