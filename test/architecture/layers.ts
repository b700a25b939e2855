// The allowed layer order of src/, bottom first (docs/ARCHITECTURE.md draws it).
// A folder may import its own layer and the layers below, never above; a file
// directly in src/ counts as a folder of its own (main, cli, context, errors).
// A new folder must be placed here, or the import-rule test fails.
export const LAYERS = [
  { name: 'foundation', folders: ['util', 'errors'] },
  { name: 'model', folders: ['catalog', 'config', 'secrets'] },
  { name: 'io', folders: ['process', 'http', 'oci', 'archive', 'artifacts', 'verify', 'preflight', 'bundle-layout'] },
  { name: 'plan', folders: ['plan', 'facts'] },
  { name: 'parts', folders: ['state', 'build', 'chat-admin', 'backup', 'openim-config', 'monitoring'] },
  { name: 'targets', folders: ['targets'] },
  { name: 'execution', folders: ['execute', 'render'] },
  { name: 'interaction', folders: ['wizard', 'context'] },
  { name: 'operations', folders: ['deployment', 'bundle', 'day2'] },
  { name: 'commands', folders: ['commands'] },
  { name: 'entry', folders: ['cli', 'main'] },
] as const;
