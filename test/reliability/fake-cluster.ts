// A FAKE kubectl + helm for the reliability suite: a simulated cluster kept
// in a folder (so separate processes share it), answering the commands the
// installer sends. It models what the suite checks — namespaces, applied
// objects, Helm releases with their values, the state Secret, the Lease
// with resourceVersion conflicts — and accepts any other command with exit 0
// (recorded in `unknown`), so new plan steps do not break it. Its nodes are
// marked as kwok-simulated, so the plan skips the smoke test honestly.
//
// Used in-process (FakeRunner) and as a real executable on PATH
// (fake-kube-cli.ts, bundled by the tests).

import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  rmdirSync,
  writeFileSync,
} from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { parse as parseYaml, parseAllDocuments } from 'yaml';
import { sleep } from '../../src/util/sleep.js';
import type { RunOptions, RunResult, Runner } from '../../src/process/runner.js';

type Json = Record<string, any>;

export interface FakeCall {
  tool: string;
  args: string[];
  cwd?: string;
}

const ok = (stdout = ''): RunResult => ({ exitCode: 0, stdout, stderr: '' });
const fail = (stderr: string, exitCode = 1): RunResult => ({ exitCode, stdout: '', stderr });
const notFound = (kind: string, name: string) => fail(`Error from server (NotFound): ${kind} "${name}" not found`);

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Strip global flags and pull out -n/--namespace wherever they are. */
function parseArgs(args: string[]): { rest: string[]; namespace?: string; flags: Map<string, string | true> } {
  const rest: string[] = [];
  const flags = new Map<string, string | true>();
  let namespace: string | undefined;
  const valued = new Set([
    '--kubeconfig',
    '--context',
    '--kube-context',
    '-n',
    '--namespace',
    '-o',
    '--output',
    '-f',
    '--filename',
    '-l',
    '--selector',
    '--field-manager',
    '--values',
    '--timeout',
    '--version',
    '--repo',
    '--tail',
    '--max-log-requests',
    '--field-selector',
    '--sort-by',
  ]);
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') {
      rest.push(...args.slice(i + 1));
      break;
    }
    const eq = a.indexOf('=');
    if (a.startsWith('--') && eq > 0) {
      flags.set(a.slice(0, eq), a.slice(eq + 1));
      continue;
    }
    if (valued.has(a)) {
      const v = args[++i] ?? '';
      if (a === '-n' || a === '--namespace') namespace = v;
      else flags.set(a, v);
      continue;
    }
    if (a.startsWith('-')) {
      flags.set(a, true);
      continue;
    }
    rest.push(a);
  }
  return { rest, flags, ...(namespace !== undefined ? { namespace } : {}) };
}

export class FakeCluster {
  private lastFieldSelector: string | true | undefined;
  /** `uid`: the kube-system namespace UID, the cluster's identity (fixed by default so end states compare equal). */
  constructor(
    readonly dir: string,
    options: { uid?: string } = {},
  ) {
    mkdirSync(join(dir, 'objects'), { recursive: true });
    mkdirSync(join(dir, 'releases'), { recursive: true });
    const uid = options.uid ?? 'fake-cluster-0000';
    for (const ns of ['default', 'kube-system'])
      if (!this.get('Namespace', undefined, ns))
        this.put({
          apiVersion: 'v1',
          kind: 'Namespace',
          metadata: { name: ns, ...(ns === 'kube-system' ? { uid } : {}) },
        });
  }

  // --- storage -------------------------------------------------------------

  private path(kind: string, namespace: string | undefined, name: string): string {
    return join(this.dir, 'objects', namespace ?? '_cluster', kind.toLowerCase(), `${name}.json`);
  }

  get(kind: string, namespace: string | undefined, name: string): Json | undefined {
    const p = this.path(kind, kind === 'Namespace' ? undefined : namespace, name);
    return existsSync(p) ? (JSON.parse(readFileSync(p, 'utf8')) as Json) : undefined;
  }

  private nextVersion(): string {
    // Unique and increasing enough for optimistic concurrency: time plus randomness, no shared counter file.
    return `${Date.now()}${String(Math.floor(Math.random() * 1e6)).padStart(6, '0')}`;
  }

  put(obj: Json): Json {
    const kind = String(obj.kind);
    const ns = kind === 'Namespace' ? undefined : ((obj.metadata?.namespace as string | undefined) ?? 'default');
    const stored = {
      ...obj,
      metadata: { ...obj.metadata, ...(ns ? { namespace: ns } : {}), resourceVersion: this.nextVersion() },
    };
    const p = this.path(kind, ns, String(obj.metadata.name));
    mkdirSync(join(p, '..'), { recursive: true });
    // A temp name per writer: several fake processes may write at once.
    const tmp = `${p}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    writeFileSync(tmp, JSON.stringify(stored));
    renameSync(tmp, p);
    return stored;
  }

  remove(kind: string, namespace: string | undefined, name: string): boolean {
    const p = this.path(kind, kind === 'Namespace' ? undefined : namespace, name);
    if (!existsSync(p)) return false;
    rmSync(p);
    return true;
  }

  list(kind: string, namespace: string): Json[] {
    const d = join(this.dir, 'objects', namespace, kind.toLowerCase());
    return existsSync(d)
      ? readdirSync(d)
          .filter((f) => f.endsWith('.json'))
          .map((f) => JSON.parse(readFileSync(join(d, f), 'utf8')) as Json)
      : [];
  }

  /** Every stored object as "Kind/ns/name" → object without resourceVersion. */
  objects(): Record<string, Json> {
    const out: Record<string, Json> = {};
    const root = join(this.dir, 'objects');
    for (const ns of readdirSync(root)) {
      for (const kind of readdirSync(join(root, ns))) {
        for (const f of readdirSync(join(root, ns, kind))) {
          if (!f.endsWith('.json')) continue;
          const obj = JSON.parse(readFileSync(join(root, ns, kind, f), 'utf8')) as Json;
          const { resourceVersion: _rv, ...metadata } = obj.metadata as Json;
          out[`${obj.kind}/${ns}/${metadata.name}`] = { ...obj, metadata };
        }
      }
    }
    return out;
  }

  releases(): Record<string, { chart: string; values: string; revision: number; namespace: string }> {
    const out: Record<string, { chart: string; values: string; revision: number; namespace: string }> = {};
    const root = join(this.dir, 'releases');
    for (const f of readdirSync(root)) out[f.replace(/\.json$/, '')] = JSON.parse(readFileSync(join(root, f), 'utf8'));
    return out;
  }

  /** Cross-process mutex for read-modify-write (mkdir is atomic). */
  private locked<T>(fn: () => T): T {
    const lock = join(this.dir, 'mutex');
    for (let i = 0; ; i++) {
      try {
        mkdirSync(lock);
        break;
      } catch {
        if (i > 2000) throw new Error('fake cluster mutex stuck');
        sleepSync(2);
      }
    }
    try {
      return fn();
    } finally {
      rmdirSync(lock);
    }
  }

  // --- commands ------------------------------------------------------------

  exec(argv: readonly string[], options: { cwd?: string; input?: string } = {}): RunResult {
    const [tool, ...args] = argv;
    this.log({ tool: tool ?? '', args, ...(options.cwd ? { cwd: options.cwd } : {}) });
    if (tool === 'kubectl') return this.kubectl(args, options);
    if (tool === 'helm') return this.helm(args, options);
    return fail(`fake: ${tool}: command not found`, 127);
  }

  private log(call: FakeCall): void {
    writeFileSync(join(this.dir, 'calls.jsonl'), `${JSON.stringify(call)}\n`, { flag: 'a' });
  }

  calls(): FakeCall[] {
    const p = join(this.dir, 'calls.jsonl');
    return existsSync(p)
      ? readFileSync(p, 'utf8')
          .trim()
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l) as FakeCall)
      : [];
  }

  private readManifest(file: string, options: { cwd?: string; input?: string }): Json[] {
    const text =
      file === '-'
        ? (options.input ?? '')
        : readFileSync(isAbsolute(file) ? file : join(options.cwd ?? process.cwd(), file), 'utf8');
    return parseAllDocuments(text)
      .map((d) => ('toJS' in d ? (d.toJS() as Json | null) : null))
      .flatMap((o) => (o?.kind === 'List' ? ((o.items ?? []) as Json[]) : o ? [o] : []))
      .filter((o): o is Json => Boolean(o?.kind && o.metadata?.name));
  }

  private kubectl(args: string[], options: { cwd?: string; input?: string }): RunResult {
    const { rest, namespace, flags } = parseArgs(args);
    const [verb, what, name] = rest;
    const ns = namespace ?? 'default';
    const json = flags.get('-o') === 'json';
    switch (verb) {
      case 'version':
        return ok(
          JSON.stringify({
            clientVersion: { gitVersion: 'v1.33.0' },
            ...(flags.has('--client') ? {} : { serverVersion: { gitVersion: 'v1.33.0-fake' } }),
          }),
        );
      case 'config':
        return ok('fake-context\n');
      case 'get':
        this.lastFieldSelector = flags.get('--field-selector');
        return this.kubectlGet(what ?? '', name, ns, json || flags.get('-o') === 'name');
      case 'create': {
        if (what === 'namespace' && name) {
          if (this.get('Namespace', undefined, name))
            return fail(`Error from server (AlreadyExists): namespaces "${name}" already exists`);
          this.put({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
          return ok(`namespace/${name} created\n`);
        }
        if (flags.has('--raw')) return ok('{}');
        const file = flags.get('-f');
        if (typeof file !== 'string') return ok();
        return this.locked(() => {
          const out: Json[] = [];
          for (const obj of this.readManifest(file, options)) {
            const objNs = obj.metadata?.namespace ?? ns;
            if (!this.nsExists(objNs)) return fail(`Error from server (NotFound): namespaces "${objNs}" not found`);
            if (this.get(obj.kind, objNs, obj.metadata.name))
              return fail(
                `Error from server (AlreadyExists): ${String(obj.kind).toLowerCase()}s "${obj.metadata.name}" already exists`,
              );
            out.push(this.put({ ...obj, metadata: { ...obj.metadata, namespace: objNs } }));
          }
          return ok(json ? JSON.stringify(out[0] ?? {}) : '');
        });
      }
      case 'replace': {
        const file = flags.get('-f');
        if (typeof file !== 'string') return fail('fake: replace needs -f');
        return this.locked(() => {
          const [obj] = this.readManifest(file, options);
          if (!obj) return fail('fake: nothing to replace');
          const objNs = obj.metadata?.namespace ?? ns;
          const current = this.get(obj.kind, objNs, obj.metadata.name);
          if (!current) return notFound(String(obj.kind).toLowerCase(), obj.metadata.name);
          if (obj.metadata.resourceVersion && obj.metadata.resourceVersion !== current.metadata.resourceVersion) {
            return fail(
              `Error from server (Conflict): Operation cannot be fulfilled on ${String(obj.kind).toLowerCase()}s "${obj.metadata.name}": the object has been modified; please apply your changes to the latest version and try again`,
            );
          }
          const stored = this.put({ ...obj, metadata: { ...obj.metadata, namespace: objNs } });
          return ok(json ? JSON.stringify(stored) : '');
        });
      }
      case 'apply': {
        const file = flags.get('-f');
        if (typeof file !== 'string') return fail('fake: apply needs -f');
        return this.locked(() => {
          const lines: string[] = [];
          for (const obj of this.readManifest(file, options)) {
            const objNs = obj.kind === 'Namespace' ? undefined : (obj.metadata?.namespace ?? ns);
            if (objNs && !this.nsExists(objNs))
              return fail(`Error from server (NotFound): namespaces "${objNs}" not found`);
            this.put({ ...obj, metadata: { ...obj.metadata, ...(objNs ? { namespace: objNs } : {}) } });
            lines.push(`${String(obj.kind).toLowerCase()}/${obj.metadata.name} serverside-applied`);
          }
          return ok(`${lines.join('\n')}\n`);
        });
      }
      case 'delete': {
        if (!what) return ok();
        const kind = what.split('.')[0]!;
        const kindName = kind === 'namespace' ? 'Namespace' : kind === 'pvc' ? 'PersistentVolumeClaim' : kind;
        if (name) {
          const gone = this.removeByLowerKind(kindName, ns, name);
          if (!gone && !flags.has('--ignore-not-found')) return notFound(kind, name);
          if (kindName === 'Namespace') rmSync(join(this.dir, 'objects', name), { recursive: true, force: true });
          return ok(`${kind} "${name}" deleted\n`);
        }
        return ok();
      }
      case 'exec':
        return this.kubectlExec(rest, ns, options);
      case 'logs': {
        // A workload that logs its own credentials: what reaches the user must be redacted anyway.
        const infra = this.get('Secret', ns, 'openim-infra-secrets');
        const raw =
          (infra?.stringData?.['mongodb-password'] as string | undefined) ??
          Buffer.from(String(infra?.data?.['mongodb-password'] ?? ''), 'base64').toString('utf8');
        return ok(
          `2026-01-01T00:00:00Z level=info msg="connecting" uri=mongodb://openIM:${raw}@openim-mongodb:27017/openim_v3 password=${raw}\n2026-01-01T00:00:01Z level=info msg="ready"\n`,
        );
      }
      default:
        return this.unknown('kubectl', args);
    }
  }

  private nsExists(ns: string): boolean {
    return Boolean(this.get('Namespace', undefined, ns));
  }

  private removeByLowerKind(kind: string, ns: string, name: string): boolean {
    if (kind === 'Namespace') return this.remove('Namespace', undefined, name);
    const root = join(this.dir, 'objects', ns);
    if (!existsSync(root)) return false;
    for (const k of readdirSync(root)) if (k === kind.toLowerCase()) return this.remove(k, ns, name);
    return false;
  }

  private kubectlGet(what: string, name: string | undefined, ns: string, structured: boolean): RunResult {
    const list = (items: Json[]) => ok(JSON.stringify({ apiVersion: 'v1', kind: 'List', items }));
    switch (what) {
      case 'storageclass':
        return list([
          {
            metadata: { name: 'standard', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } },
            provisioner: 'rancher.io/local-path',
          },
        ]);
      case 'ingressclass':
        return list([{ metadata: { name: 'nginx' } }]);
      case 'crd':
        return list([]);
      case 'nodes':
        return list([
          {
            metadata: { name: 'fake-node-0', annotations: { 'kwok.x-k8s.io/node': 'fake' } },
            status: { conditions: [{ type: 'Ready', status: 'True' }], allocatable: { cpu: '16', memory: '64Gi' } },
          },
        ]);
      case 'namespace': {
        const obj = name ? this.get('Namespace', undefined, name) : undefined;
        if (!obj) return notFound('namespaces', name ?? '');
        return ok(structured ? JSON.stringify(obj) : `namespace/${name}\n`);
      }
      case 'secret':
      case 'lease':
      case 'configmap': {
        const kind = { secret: 'Secret', lease: 'Lease', configmap: 'ConfigMap' }[what]!;
        if (!name) return list(this.list(kind, ns));
        const obj = this.get(kind, ns, name);
        if (!obj) return notFound(what === 'lease' ? 'leases.coordination.k8s.io' : `${what}s`, name);
        // Real Secrets come back with data (base64), whatever was applied.
        if (kind === 'Secret' && obj.stringData)
          obj.data = {
            ...(obj.data ?? {}),
            ...Object.fromEntries(
              Object.entries(obj.stringData as Record<string, string>).map(([k, v]) => [
                k,
                Buffer.from(v).toString('base64'),
              ]),
            ),
          };
        return ok(JSON.stringify(obj));
      }
      case 'deployments,statefulsets':
        return list(
          Object.entries(this.releases())
            .filter(([, r]) => r.namespace === ns)
            .map(([rel]) => this.workload(rel, ns)),
        );
      case 'pods':
        return list(
          Object.entries(this.releases())
            .filter(([, r]) => r.namespace === ns)
            .map(([rel]) => ({
              metadata: { name: `${rel}-0`, labels: { 'app.kubernetes.io/instance': rel } },
              status: { phase: 'Running', containerStatuses: [{ name: rel, restartCount: 0, state: { running: {} } }] },
            })),
        );
      case 'endpoints': {
        const wanted = String(this.lastFieldSelector ?? '').replace('metadata.name=', '');
        return list(
          this.releases()[wanted]
            ? [
                {
                  metadata: { name: wanted },
                  subsets: [{ addresses: [{ ip: '10.0.0.1' }], ports: [{ port: 10002, name: 'http' }] }],
                },
              ]
            : [],
        );
      }
      case 'services':
      case 'events':
        return list([]);
      default:
        return this.unknown('kubectl', ['get', what, ...(name ? [name] : [])]);
    }
  }

  /**
   * The Deployment a release stands for, all replicas ready. For the openim-service chart the
   * image, version and env (secretEnv as secretKeyRef) come from its values, as the chart renders them.
   */
  private workload(release: string, ns: string): Json {
    const values = (parseYaml(this.releases()[release]?.values ?? '') ?? {}) as Json;
    const labels: Record<string, string> = {
      'app.kubernetes.io/instance': release,
      'app.kubernetes.io/part-of': 'openim',
      ...(values.version ? { 'app.kubernetes.io/version': String(values.version) } : {}),
    };
    const image = values.image?.repository ? `${values.image.repository}:${values.image.tag}` : `fake/${release}:fake`;
    const env = [
      ...((values.env ?? []) as Json[]).map((e) => ({ name: e.name, value: String(e.value) })),
      ...((values.secretEnv ?? []) as Json[]).map((e) => ({
        name: e.name,
        valueFrom: { secretKeyRef: { name: e.secretName, key: e.key } },
      })),
    ];
    const replicas = Number(values.replicas ?? 1);
    return {
      kind: 'Deployment',
      metadata: { name: release, namespace: ns, labels },
      spec: {
        replicas,
        selector: { matchLabels: { 'app.kubernetes.io/instance': release } },
        template: { metadata: { labels }, spec: { containers: [{ name: release, image, env }] } },
      },
      status: { readyReplicas: replicas },
    };
  }

  /** `kubectl exec`: Kafka's topic listing and a mongosh login checked against the stored password. */
  private kubectlExec(rest: string[], ns: string, options: { input?: string }): RunResult {
    const command = rest.slice(rest.indexOf('--') >= 0 ? rest.indexOf('--') + 1 : 2);
    if (command[0] === 'kafka-topics.sh' && command.includes('--describe')) {
      return ok(
        ['toRedis', 'toMongo', 'toPush', 'toOfflinePush']
          .map((t) => `Topic: ${t}\tTopicId: fake-${t}\tPartitionCount: 8\tReplicationFactor: 1\tConfigs: \n`)
          .join(''),
      );
    }
    if (command[0] === 'mongosh') {
      const uri = /connect\("([^"]+)"\)/.exec(options.input ?? '')?.[1] ?? '';
      const m = /^mongodb:\/\/([^:]+):([^@]+)@[^/]+\/([^?]+)\?authSource=([^&]+)/.exec(uri);
      const infra = this.get('Secret', ns, 'openim-infra-secrets');
      const stored = (infra?.stringData?.['mongodb-password'] as string | undefined) ?? '';
      const good =
        m &&
        decodeURIComponent(m[2]!) === stored &&
        decodeURIComponent(m[1]!) === 'openIM' &&
        decodeURIComponent(m[4]!) === decodeURIComponent(m[3]!);
      return ok(
        `OPENIM-DEPLOY-PING ${JSON.stringify(good ? { ok: 1 } : { ok: 0, error: 'MongoServerError: Authentication failed.' })}\n`,
      );
    }
    return this.unknown('kubectl', ['exec', ...rest]);
  }

  private helm(args: string[], options: { cwd?: string; input?: string }): RunResult {
    const { rest, namespace, flags } = parseArgs(args);
    const ns = namespace ?? 'default';
    const [verb, name, chart] = rest;
    const releasePath = (n: string) => join(this.dir, 'releases', `${n}.json`);
    switch (verb) {
      case 'version':
        return ok('v3.18.0+gfake\n');
      case 'upgrade': {
        if (!name || !chart) return fail('fake helm: upgrade needs a release and a chart');
        const valuesFile = flags.get('--values');
        const values =
          typeof valuesFile === 'string'
            ? readFileSync(isAbsolute(valuesFile) ? valuesFile : join(options.cwd ?? process.cwd(), valuesFile), 'utf8')
            : '';
        if (!this.nsExists(ns) && !flags.has('--create-namespace'))
          return fail(`Error: create: failed to create: namespaces "${ns}" not found`);
        return this.locked(() => {
          const previous = existsSync(releasePath(name))
            ? (JSON.parse(readFileSync(releasePath(name), 'utf8')) as { revision: number })
            : undefined;
          writeFileSync(
            releasePath(name),
            JSON.stringify({ chart, values, revision: (previous?.revision ?? 0) + 1, namespace: ns }),
          );
          return ok(`Release "${name}" has been ${previous ? 'upgraded' : 'installed'}. Happy Helming!\n`);
        });
      }
      case 'list':
        return ok(
          JSON.stringify(
            Object.entries(this.releases())
              .filter(([, r]) => r.namespace === ns)
              .map(([n, r]) => ({ name: n, namespace: ns, revision: String(r.revision), status: 'deployed' })),
          ),
        );
      case 'uninstall':
        if (!name || !existsSync(releasePath(name)))
          return flags.has('--ignore-not-found')
            ? ok()
            : fail(`Error: uninstall: Release not loaded: ${name}: release: not found`);
        rmSync(releasePath(name));
        return ok(`release "${name}" uninstalled\n`);
      case 'rollback': {
        if (!name || !existsSync(releasePath(name))) return fail(`Error: release: not found`);
        return this.locked(() => {
          const r = JSON.parse(readFileSync(releasePath(name), 'utf8')) as Json;
          writeFileSync(
            releasePath(name),
            JSON.stringify({ ...r, revision: r.revision + 1, rolledBackTo: Number(chart) }),
          );
          return ok('Rollback was a success! Happy Helming!\n');
        });
      }
      default:
        return this.unknown('helm', args);
    }
  }

  private unknown(tool: string, args: string[]): RunResult {
    writeFileSync(join(this.dir, 'unknown.jsonl'), `${JSON.stringify({ tool, args })}\n`, { flag: 'a' });
    return ok();
  }

  unknownCalls(): { tool: string; args: string[] }[] {
    const p = join(this.dir, 'unknown.jsonl');
    return existsSync(p)
      ? readFileSync(p, 'utf8')
          .trim()
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l))
      : [];
  }
}

/** Commands that change the cluster take this long (slow runs for interrupt tests). */
export const SLOW = (argv: readonly string[]) =>
  (argv[0] === 'helm' && argv.includes('upgrade')) ||
  (argv[0] === 'kubectl' && argv.includes('apply') && !argv.includes('-'));

/** In-process Runner over a FakeCluster; a fault hook can fail chosen commands. */
export class FakeRunner implements Runner {
  readonly seen: { argv: string[]; options: RunOptions }[] = [];
  /** Commands running right now (slow ones): an interrupted run must leave none. */
  inFlight = 0;
  constructor(
    readonly cluster: FakeCluster,
    private readonly opts: {
      delayMs?: number;
      fault?: (argv: readonly string[], options: RunOptions) => RunResult | undefined;
    } = {},
  ) {}

  async run(argv: readonly string[], options: RunOptions = {}): Promise<RunResult> {
    if (options.signal?.aborted)
      throw Object.assign(new Error(`interrupted: ${argv.join(' ')}`), { name: 'AbortError' });
    this.seen.push({ argv: [...argv], options });
    const injected = this.opts.fault?.(argv, options);
    if (injected) return injected;
    if (this.opts.delayMs && SLOW(argv)) {
      this.inFlight++;
      try {
        await sleep(this.opts.delayMs, options.signal);
      } catch {
        throw Object.assign(new Error(`interrupted: ${argv.join(' ')}`), { name: 'AbortError' });
      } finally {
        this.inFlight--;
      }
    }
    return this.cluster.exec(argv, {
      ...(options.cwd ? { cwd: options.cwd } : {}),
      ...(options.input !== undefined ? { input: options.input } : {}),
    });
  }
}
