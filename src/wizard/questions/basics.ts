// Target, profile, domain and (Kubernetes) namespace: the answers every later
// question depends on.

import type { QuestionContext } from './context.js';
import { specSoFar } from './context.js';

/** Kubernetes when a context answers; else binary on a systemd host; else the schema default. */
async function suggestedTarget(q: QuestionContext): Promise<{ target: 'kubernetes' | 'binary'; why: string }> {
  q.note('Looking at this machine (kubectl context, init system)…');
  const [kube, host] = await Promise.all([q.probes.kubeLook(specSoFar(q.answers)), q.probes.hostLook()]);
  if (kube.reachable) return { target: 'kubernetes', why: `kubectl context ${kube.context ?? '(current)'} answers` };
  if (host.systemd)
    return {
      target: 'binary',
      why: `no reachable Kubernetes context${kube.problem ? ` (${kube.problem})` : ''}; this host runs systemd`,
    };
  const init = host.init ? `PID 1 is ${host.init}, not systemd` : 'no systemd here';
  return {
    target: 'kubernetes',
    why: `no reachable Kubernetes context${kube.problem ? ` (${kube.problem})` : ''}, and ${init}`,
  };
}

export async function askBasics(q: QuestionContext): Promise<void> {
  const { ask, answers } = q;
  if (!answers.given('target')) {
    const suggestion = await suggestedTarget(q);
    await ask.choose('target', {
      message: 'Where should OpenIM run?',
      help: `Suggested: ${suggestion.target} (${suggestion.why}).`,
      default: suggestion.target,
      choices: [
        {
          value: 'kubernetes',
          name: 'Kubernetes (Helm releases in a cluster)',
          description: 'Uses the current kubectl context; scales and heals across nodes.',
        },
        {
          value: 'binary',
          name: 'This Linux host (systemd units)',
          description: 'No cluster needed; everything runs as services on this machine. Needs root and systemd.',
        },
      ],
    });
  }

  const profile = await ask.choose('profile', {
    message: 'Profile',
    help: 'dev runs one copy of everything (fine for trying OpenIM); production replicates MongoDB, Redis and Kafka, runs two of each OpenIM service, and needs a real domain.',
    default: 'dev',
    choices: [
      { value: 'dev', name: 'dev: one of everything', description: 'Small footprint, no high availability.' },
      {
        value: 'production',
        name: 'production: replicated infrastructure',
        description: 'Needs a public domain; TLS strongly advised.',
      },
    ],
  });

  await ask.text('openim.domain', {
    message: 'Public domain of the IM service',
    help: 'Apps and browsers connect to this host name; the TLS certificate and the file (MinIO) URLs are made for it. Use a name that resolves to your ingress or host, or its IPv4 address (then no cert-manager certificate, and on Kubernetes the admin console is not published).',
    default: profile === 'production' ? '' : 'openim.localhost',
    extra: (value) =>
      profile === 'production' && value === '' ? 'production needs a domain, e.g. im.example.com' : true,
  });

  if (answers.get('target') === 'kubernetes') await askNamespace(q);
}

/** Every catalog version runs its discovery through etcd in the cluster, so any namespace works. */
async function askNamespace(q: QuestionContext): Promise<void> {
  await q.ask.text('kubernetes.namespace', {
    message: 'Kubernetes namespace',
    help: 'OpenIM and its infrastructure go into this namespace; it cannot change after the install.',
    default: q.answers.get<string>('kubernetes.namespace'),
  });
}
