#!/usr/bin/env node
// Launcher. Production runs the compiled dist/; a checkout without a build runs the TypeScript sources
// through tsx (a dev dependency), so `firmwarden` works straight from a clone after `npm ci`.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const compiled = join(root, 'dist', 'service', 'cli.js');
const useSource = process.env.FIRMWARDEN_FROM_SOURCE === '1' || !existsSync(compiled);

let cli;
if (useSource) {
  const { register } = await import('tsx/esm/api');
  register();
  cli = await import(pathToFileURL(join(root, 'service', 'cli.ts')).href);
} else {
  cli = await import(pathToFileURL(compiled).href);
}
await cli.run(process.argv.slice(2));
