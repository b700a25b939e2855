#!/usr/bin/env node
// The system commands each real-infrastructure suite runs, and the Debian
// package each comes from (what .ci/run installs). Run first by every suite's
// npm script, so a suite started alone on a machine without them stops at once
// with the command to install them, instead of an ENOENT from deep inside a test.
//
//   node scripts/require-packages.mjs <suite>      exit 1 naming what is missing
//   node scripts/require-packages.mjs --list       every suite's table, as JSON
//
// Only node built-ins: it runs before `npm run build` and `scripts/fetch-tools.ts`.

import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

const GO = { command: 'go', install: 'Go 1.26 from https://go.dev/dl/ (the Go module proxy must be reachable)' };
const apt = (command, pkg = command) => ({ command, pkg });

/** suite → commands it needs. `pkg`: the Debian package; `install`: the hint when it is not one. */
export const SUITES = {
  wizard: [apt('tmux')],
  monitoring: [apt('promtool', 'prometheus')],
  offline: [apt('docker-registry'), apt('skopeo'), apt('unshare', 'util-linux'), apt('openssl')],
  systemd: [
    apt('systemd-nspawn', 'systemd-container'),
    apt('debootstrap'),
    apt('systemd-analyze', 'systemd'),
    apt('nsenter', 'util-linux'),
  ],
  helm: [apt('etcd', 'etcd-server'), apt('wget')],
  openim: [
    apt('systemd-nspawn', 'systemd-container'),
    apt('debootstrap'),
    apt('nsenter', 'util-linux'),
    apt('java', 'openjdk-17-jre-headless'),
    apt('mvn', 'maven'),
    apt('flock', 'util-linux'),
    GO,
  ],
  cluster: [apt('openssl'), apt('flock', 'util-linux'), GO],
  conformance: [apt('flock', 'util-linux'), GO],
  reliability: [],
};

function onPath(command, path) {
  return path.split(delimiter).some((dir) => {
    if (!dir) return false;
    try {
      accessSync(join(dir, command), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** The message for what is missing, or undefined when nothing is. */
export function missingMessage(suite, path) {
  const needs = SUITES[suite];
  if (!needs) return `unknown suite "${suite}": one of ${Object.keys(SUITES).join(', ')}`;
  const missing = needs.filter((n) => !onPath(n.command, path));
  if (missing.length === 0) return undefined;
  const packages = [...new Set(missing.filter((m) => m.pkg).map((m) => m.pkg))];
  const other = missing.filter((m) => !m.pkg);
  return [
    `npm run test:${suite} needs ${missing.map((m) => m.command).join(', ')}, not found on PATH.`,
    ...(packages.length
      ? [`  install (Debian/Ubuntu, as root; .ci/run does this): apt-get install -y ${packages.join(' ')}`]
      : []),
    ...other.map((m) => `  ${m.command}: ${m.install}`),
  ].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const suite = process.argv[2];
  if (suite === '--list') {
    process.stdout.write(`${JSON.stringify(SUITES, null, 2)}\n`);
  } else {
    const message = missingMessage(suite ?? '', process.env.PATH ?? '');
    if (message) {
      process.stderr.write(`${message}\n`);
      process.exit(1);
    }
  }
}
