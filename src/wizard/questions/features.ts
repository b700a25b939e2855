// What gets installed besides the core server: chat, web fronts,
// monitoring and logging.

import type { QuestionContext } from './context.js';

export async function askComponents(q: QuestionContext): Promise<void> {
  const { ask } = q;
  const chat = await ask.yesNo('openim.components.chat', {
    message: 'Install OpenIM Chat (accounts, login, admin API)?',
    help: 'The server alone has no user accounts or login; the demo apps and the admin console need Chat.',
    default: true,
  });
  if (q.answers.get('target') === 'binary') {
    // The fronts ship as container images only; the host target does not install them (its preflight says so).
    ask.imply('openim.components.webFront', false);
    ask.imply('openim.components.adminFront', false);
    if (chat) await askRegistration(q);
    return;
  }
  await ask.yesNo('openim.components.webFront', {
    message: 'Install the web client?',
    help: 'A browser IM client served under the domain.',
    default: true,
  });
  if (chat)
    await ask.yesNo('openim.components.adminFront', {
      message: 'Install the admin console?',
      help: 'Web console to manage users and settings; it talks to Chat.',
      default: true,
    });
  // The admin console cannot work without Chat.
  else ask.imply('openim.components.adminFront', false);
  if (chat) await askRegistration(q);
}

/** Open registration is a decision, not a default to discover later: asked whenever chat is installed. */
async function askRegistration(q: QuestionContext): Promise<void> {
  await q.ask.yesNo('openim.allowRegister', {
    message: 'Let anyone register an account (open registration)?',
    help: 'Yes: the apps show a sign-up page and anyone who reaches the server can create an account. No: accounts are made by the admin (admin console or API). Off by default in production.',
    default: q.answers.get('profile') !== 'production',
  });
}

export async function askObservability(q: QuestionContext): Promise<void> {
  const { ask, answers } = q;
  const production = answers.get('profile') === 'production';
  await ask.yesNo('monitoring.enabled', {
    message: 'Install monitoring (Prometheus + Grafana dashboards)?',
    help: 'Shows message rates, errors and resource use; recommended for production, costs a few hundred MB of memory.',
    default: production,
  });
  await ask.yesNo('logging.enabled', {
    message: 'Collect logs centrally (Loki)?',
    help: 'Searchable logs of every OpenIM service in one place; without it use kubectl logs or journalctl.',
    default: production,
  });
}
