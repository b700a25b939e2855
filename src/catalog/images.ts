// Image references and the one rule that rewrites them for mirrors and
// private registries (issue #3 §7; open-im-server issues #1398, #1418).

export interface ImageRef {
  /** Registry host of the upstream image: docker.io, ghcr.io, quay.io, registry.k8s.io … */
  registry: string;
  /** Repository path without the registry, e.g. `library/mongo`, `openim/openim-api`. */
  repository: string;
  tag: string;
  /** Pinned manifest digest, where known. */
  digest?: string;
}

/** One `images.rewrite` rule: images whose upstream `registry/repository` starts with `from` move to `to`. */
interface ImageRewrite {
  /** `host[:port][/path]` of the upstream reference, matched whole path element by path element. */
  from: string;
  /** `host[:port][/path]` that replaces `from`; the rest of the repository path is kept below it. */
  to: string;
}

export interface ImageSource {
  /** Registry that replaces docker.io for OpenIM images (e.g. ghcr.io/openimsdk layout is handled by `openimRepository`). */
  registry: string;
  /**
   * A pull-through mirror or private registry that every image no rewrite rule
   * matched is rewritten to. Form `host[/prefix]`; images keep their upstream
   * path below it, with the upstream registry host as the first path element
   * for non-Docker Hub images (the layout of m.daocloud.io and of `bundle push`).
   */
  mirror: string;
  /**
   * Rules applied before `mirror`: the rule with the longest `from` that is the
   * image's `registry/repository` or a path-element prefix of it wins, and the
   * image goes to `to` + the rest of its path. An image a rule moved is final:
   * `mirror` applies only to images no rule matched.
   */
  rewrite: readonly ImageRewrite[];
}

export function formatImage(ref: ImageRef): string {
  const base = `${ref.registry}/${ref.repository}`;
  return ref.digest ? `${base}:${ref.tag}@${ref.digest}` : `${base}:${ref.tag}`;
}

/**
 * The path element an upstream registry host becomes below a mirror. A port's `:`
 * is not allowed in a repository path (`localhost:5000/a/b` → `localhost_5000/a/b`);
 * `_` cannot occur in a registry host name, so the rewrite can be undone (mirrorPathUpstream).
 */
export function mirrorPathElement(registry: string): string {
  return registry.replace(/:(\d+)$/, '_$1');
}

/** `from` when it is `path` or a prefix of it ending at a `/`, else undefined; trailing slashes ignored. */
function matchLength(from: string, path: string): number | undefined {
  const f = from.replace(/\/+$/, '');
  return path === f || path.startsWith(`${f}/`) ? f.length : undefined;
}

/** The rule that moves `path` (`registry/repository`): the longest matching `from` wins. */
function matchingRule(
  path: string,
  rules: readonly ImageRewrite[],
): { rule: ImageRewrite; length: number } | undefined {
  let best: { rule: ImageRewrite; length: number } | undefined;
  for (const rule of rules) {
    const length = matchLength(rule.from, path);
    if (length !== undefined && (!best || length > best.length)) best = { rule, length };
  }
  return best;
}

/** `host[/prefix]` + a repository path below it, as registry and repository. */
function below(base: string, path: string): { registry: string; repository: string } {
  const [host, ...prefix] = base.replace(/\/+$/, '').split('/');
  return { registry: host ?? base, repository: [...prefix, ...(path ? [path] : [])].join('/') };
}

/**
 * The image reference a cluster or host actually pulls: the longest matching
 * `rewrite` rule, else `mirror`, else the upstream reference. `bundle push` uses
 * the same rule (with the mirror only).
 */
export function resolveImage(ref: ImageRef, source: ImageSource): ImageRef {
  const path = `${ref.registry}/${ref.repository}`;
  const match = matchingRule(path, source.rewrite);
  if (match) return { ...ref, ...below(match.rule.to, path.slice(match.length).replace(/^\//, '')) };
  if (!source.mirror) return ref;
  const upstreamPath =
    ref.registry === 'docker.io' ? ref.repository : `${mirrorPathElement(ref.registry)}/${ref.repository}`;
  return { ...ref, ...below(source.mirror, upstreamPath) };
}

/**
 * Where every image below an upstream `prefix` (`registry[/path]`) is pulled
 * from, as `host[/path]`, for charts that take an image registry or hub rather
 * than whole references; undefined when nothing moves them. Rules narrower than
 * `prefix` cannot be expressed that way and are not applied here: such a chart
 * keeps the rule or mirror that covers the whole prefix.
 */
export function resolveImagePrefix(prefix: string, source: ImageSource): string | undefined {
  const p = prefix.replace(/\/+$/, '');
  const match = matchingRule(p, source.rewrite);
  if (match) {
    const moved = below(match.rule.to, p.slice(match.length).replace(/^\//, ''));
    return [moved.registry, ...(moved.repository ? [moved.repository] : [])].join('/');
  }
  if (!source.mirror) return undefined;
  const [registry = '', ...rest] = p.split('/');
  const upstreamPath = [...(registry === 'docker.io' ? [] : [mirrorPathElement(registry)]), ...rest].join('/');
  const moved = below(source.mirror, upstreamPath);
  return [moved.registry, ...(moved.repository ? [moved.repository] : [])].join('/');
}

/**
 * The inverse of the rewrite below a mirror: `library/redis` → docker.io/library/redis,
 * `quay.io/ceph/ceph` → quay.io, `localhost_5000/a/b` → localhost:5000/a/b.
 * `path` is the repository below the mirror (its host and prefix removed).
 */
export function mirrorPathUpstream(path: string): { registry: string; repository: string } {
  const parts = path.split('/');
  const first = parts[0] ?? '';
  const ported = /^(.+)_(\d+)$/.exec(first);
  const host = ported ? `${ported[1]}:${ported[2]}` : first;
  if (parts.length > 1 && (host.includes('.') || host.includes(':') || host === 'localhost'))
    return { registry: host, repository: parts.slice(1).join('/') };
  return { registry: 'docker.io', repository: parts.length === 1 ? `library/${first}` : path };
}

/** Split a reference like `docker.io/library/redis:7.0.15` into parts. */
export function parseImage(text: string): ImageRef {
  let rest = text;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  let tag = 'latest';
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  const parts = rest.split('/');
  const first = parts[0] ?? '';
  let registry = 'docker.io';
  if (parts.length > 1 && (first.includes('.') || first.includes(':') || first === 'localhost')) {
    registry = first;
    parts.shift();
  }
  if (registry === 'docker.io' && parts.length === 1) parts.unshift('library');
  return { registry, repository: parts.join('/'), tag, ...(digest ? { digest } : {}) };
}

/** `images.registry` choices: where the OpenIM images (server, chat, fronts) are published (open-im-server deployments/templates/env-template.yaml@v3.8.3, IMAGE_REGISTRY). */
const OPENIM_IMAGE_REGISTRIES = {
  'docker.io': { registry: 'docker.io', namespace: 'openim' },
  'ghcr.io': { registry: 'ghcr.io', namespace: 'openimsdk' },
  aliyun: { registry: 'registry.cn-hangzhou.aliyuncs.com', namespace: 'openimsdk' },
} as const satisfies Record<string, { registry: string; namespace: string }>;

export type OpenIMImageRegistry = keyof typeof OPENIM_IMAGE_REGISTRIES;

/** The upstream reference of an OpenIM image (before mirror rewriting): `openim/openim-api:v3.8.3-patch.16` on Docker Hub. */
export function openimImageRef(image: string, tag: string, registry: OpenIMImageRegistry): ImageRef {
  const source = OPENIM_IMAGE_REGISTRIES[registry];
  return { registry: source.registry, repository: `${source.namespace}/${image}`, tag };
}

/**
 * The image source of a configuration (`images.*`). An offline install pulls
 * every image from `images.mirror`, where `bundle push` put it under the mirror
 * layout, so `images.rewrite` rules (online mirrors) do not apply to it.
 */
export function specImageSource(spec: { images: ImageSource; offline: { bundle: string } }): ImageSource {
  const { registry, mirror, rewrite } = spec.images;
  return { registry, mirror, rewrite: spec.offline.bundle ? [] : rewrite };
}
