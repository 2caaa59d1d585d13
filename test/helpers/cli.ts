import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { packageRoot } from '../../service/paths.js';

export const BIN = join(packageRoot, 'bin', 'firmwarden.js');

/** Run the real command line, from source (the same launcher users get from a checkout). */
export function runCli(args: string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string; input?: string } = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: opts.cwd ?? packageRoot,
    env: { ...cleanEnv(), FIRMWARDEN_FROM_SOURCE: '1', ...opts.env },
    encoding: 'utf8',
    input: opts.input ?? '',
    timeout: 120_000,
    maxBuffer: 256 * 1024 * 1024,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, signal: r.signal };
}

/** The test runner's FIRMWARDEN_* variables must not leak into the processes under test. */
export function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.startsWith('FIRMWARDEN_') && !k.startsWith('VITEST') && k !== 'NODE_OPTIONS') env[k] = v;
  }
  return env;
}
