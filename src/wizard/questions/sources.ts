// Where software comes from: container images (Kubernetes), download
// mirror (binary), or an offline bundle.

import { existsSync, statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { unprobedFacts } from '../../facts/types.js';
import { targetFor } from '../../targets/registry.js';
import type { QuestionContext } from './context.js';
import { CADDY_ARCHIVE_HELP } from './proxy.js';
import { specSoFar } from './context.js';

type Source = 'docker.io' | 'ghcr.io' | 'aliyun' | 'custom';

export async function askImages(q: QuestionContext): Promise<void> {
  const { ask, answers } = q;
  if (answers.given('images.registry')) return;
  ask.checkAbort();
  const source = await ask.prompter.select<Source>({
    key: 'images.registry',
    message: 'Where should images be pulled from?',
    help: 'Every node pulls OpenIM and infrastructure images from here. Docker Hub is throttled or blocked in some networks (mainland China): pick the Aliyun mirror or your own registry there.',
    default: answers.given('images.mirror') ? 'custom' : 'docker.io',
    choices: [
      {
        value: 'docker.io',
        name: 'Docker Hub (docker.io)',
        description: 'The upstream images; rate-limited for anonymous pulls.',
      },
      {
        value: 'ghcr.io',
        name: 'GitHub Container Registry (ghcr.io)',
        description: 'The same OpenIM images on GitHub.',
      },
      {
        value: 'aliyun',
        name: 'Aliyun mirror (registry.cn-hangzhou.aliyuncs.com)',
        description: 'OpenIM’s mirror for mainland China.',
      },
      {
        value: 'custom',
        name: 'A custom registry or pull-through mirror',
        description: 'Every image is rewritten to it, e.g. m.daocloud.io or registry.internal:5000.',
      },
    ],
  });
  if (source !== 'custom') {
    ask.imply('images.registry', source);
    return;
  }
  await askMirror(
    q,
    'Registry or mirror host (host[:port][/prefix])',
    'Every image is rewritten to this registry, keeping its upstream path (the layout of m.daocloud.io and of `openim-deploy bundle push`).',
  );
  if (answers.get('target') === 'kubernetes') {
    await ask.text('images.pullSecret', {
      message: 'imagePullSecret name (empty: the registry is public)',
      help: 'A docker-registry Secret in the namespace, for registries that need a login.',
      default: answers.get<string>('images.pullSecret'),
    });
  }
}

async function askMirror(q: QuestionContext, message: string, help: string): Promise<void> {
  await q.ask.text('images.mirror', {
    message,
    help,
    extra: (value) =>
      value === ''
        ? 'required'
        : /^[a-z0-9.-]+(:[0-9]+)?(\/[a-z0-9._/-]+)?$/.test(String(value))
          ? true
          : 'a registry host such as registry.internal:5000 or m.daocloud.io (no scheme)',
  });
}

export async function askDownloadMirror(q: QuestionContext): Promise<void> {
  await q.ask.text('binary.mirror', {
    message: 'Download mirror base URL (empty: upstream)',
    help: 'The OpenIM release tarballs and infrastructure archives are downloaded from GitHub and upstream sites; give a base URL serving the same files if those are slow or blocked here.',
    default: q.answers.get<string>('binary.mirror'),
    extra: (value) =>
      value === '' || /^https?:\/\/\S+$/.test(String(value)) ? true : 'a URL such as https://mirror.example.com/openim',
  });
}

/** What the binary target's own (pure) preflight would refuse about an artifact right now. */
function artifactProblems(q: QuestionContext, id: 'server' | 'chat' | 'caddy'): { source: boolean; sha256: boolean } {
  const ids = targetFor('binary')
    .checks(specSoFar(q.answers), unprobedFacts('binary') as never)
    .map((f) => f.id);
  return { source: ids.includes(`artifact.${id}.source`), sha256: ids.includes(`artifact.${id}.sha256`) };
}

/**
 * binary.source: build from source (the default) or tarballs the user gives.
 * Not asked when an archive source is already given (tarball, mirror, bundle): that decides it.
 */
export async function askBinarySource(q: QuestionContext): Promise<void> {
  const { answers } = q;
  const given = (['server', 'chat'] as const).some(
    (id) => answers.given(`binary.artifacts.${id}.file`) || answers.given(`binary.artifacts.${id}.url`),
  );
  if (given || answers.get<string>('binary.mirror') || answers.get<string>('offline.bundle')) return;
  await q.ask.choose('binary.source', {
    message: 'Where do the OpenIM server and chat binaries come from?',
    help: 'OpenIM publishes no binaries for 3.8. build: this machine builds them with its Go toolchain from the Go module proxy (minutes the first time, cached by version afterwards; GOPROXY and friends are honoured). archive: you give the `mage export` tarballs and their SHA-256.',
    choices: [
      { value: 'build', name: 'build from source with the local Go toolchain' },
      { value: 'archive', name: 'mage export tarballs I give' },
    ],
    default: 'build',
  });
}

/**
 * OpenIM publishes no binaries: the export tarballs of server and chat come
 * from the user. Asked only when the target's preflight would refuse without them.
 */
export async function askArtifacts(q: QuestionContext, cwd: string): Promise<void> {
  const { ask, answers } = q;
  const ids: ('server' | 'chat')[] = answers.get('openim.components.chat') ? ['server', 'chat'] : ['server'];
  for (const id of ids) {
    const key = `binary.artifacts.${id}`;
    const title = id === 'server' ? 'OpenIM server' : 'OpenIM Chat';
    if (!answers.given(`${key}.file`) && !answers.given(`${key}.url`) && artifactProblems(q, id).source) {
      ask.checkAbort();
      const answer = (
        await ask.prompter.input({
          key,
          message: `${title} export tarball: a file or URL (empty: decide later)`,
          help: `OpenIM publishes no binaries: give the \`mage export\` tarball built for this version and architecture. Without one, install stops at preflight.`,
          validate: (text) => {
            const value = text.trim();
            if (value === '' || /^https?:\/\/\S+$/.test(value)) return true;
            const path = isAbsolute(value) ? value : resolve(cwd, value);
            return existsSync(path) && statSync(path).isFile()
              ? true
              : `no such file: ${path} (or give an http(s) URL)`;
          },
        })
      ).trim();
      if (/^https?:\/\//.test(answer)) answers.put(`${key}.url`, answer);
      else if (answer !== '') answers.put(`${key}.file`, isAbsolute(answer) ? answer : resolve(cwd, answer));
    }
    if (!answers.given(`${key}.sha256`) && artifactProblems(q, id).sha256) {
      await ask.text(`${key}.sha256`, {
        message: `SHA-256 of the ${title} tarball (empty: decide later)`,
        help: 'Nothing is installed unverified: the download is checked against it (sha256sum FILE prints it).',
        toValue: (text) => text.toLowerCase(),
      });
    }
  }
  await askCaddyArchive(q);
}

/** Caddy (binary.proxy): the catalog names its release URL but pins no checksum, so preflight wants one. */
async function askCaddyArchive(q: QuestionContext): Promise<void> {
  const key = 'binary.artifacts.caddy';
  if (q.answers.given(`${key}.sha256`) || !artifactProblems(q, 'caddy').sha256) return;
  await q.ask.text(`${key}.sha256`, {
    message: `SHA-256 of Caddy's release archive (empty: decide later)`,
    help: CADDY_ARCHIVE_HELP,
    toValue: (text) => text.toLowerCase(),
  });
}

export async function askOffline(q: QuestionContext, cwd: string): Promise<void> {
  const { answers } = q;
  const bundle = await q.ask.text<string>('offline.bundle', {
    message: 'Offline bundle file (empty: install online)',
    help: 'A bundle made with `openim-deploy bundle create` on a connected machine: with it nothing is downloaded from the internet.',
    default: answers.get<string>('offline.bundle'),
    // Stored absolute: the install may run from another directory later.
    toValue: (text) => (text === '' || isAbsolute(text) ? text : resolve(cwd, text)),
    extra: (value) =>
      value === '' || (existsSync(String(value)) && statSync(String(value)).isFile())
        ? true
        : `no such file: ${String(value)}`,
  });
  if (bundle !== '' && answers.get('target') === 'kubernetes' && answers.get('images.mirror') === '') {
    await askMirror(
      q,
      'Private registry the bundle’s images are pushed to',
      'The cluster cannot pull from the internet, so the bundle’s images are pushed to this registry and every image is rewritten to it.',
    );
  }
}
