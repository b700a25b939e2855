#!/usr/bin/env node
// Checked before anything else loads: the bundle uses Node 20.17+ features.
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 20 || (major === 20 && minor < 17)) {
  process.stderr.write(`openim-deploy needs Node.js 20.17 or newer; this is ${process.versions.node}\n`);
  process.exit(2);
}
// `--version` alone needs only package.json: answer without loading the CLI (cold start, issue #10).
const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
  const { readFileSync } = await import('node:fs');
  process.stdout.write(`${JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version}\n`);
} else {
  await import('../dist/main.js');
}
