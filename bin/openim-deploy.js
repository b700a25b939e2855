#!/usr/bin/env node
// Checked before anything else loads: the bundle uses Node 20.17+ features.
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 20 || (major === 20 && minor < 17)) {
  process.stderr.write(`openim-deploy needs Node.js 20.17 or newer; this is ${process.versions.node}\n`);
  process.exit(2);
}
await import('../dist/main.js');
