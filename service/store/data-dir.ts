import { mkdirSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { safeUnlink } from './atomic-write.js';

/** Where everything lives under the data directory. One place, so backup/restore and tests agree. */
export interface DataDirLayout {
  root: string;
  blobs: string;
  reports: string;
  jobs: string;
  tmp: string;
  db: string;
  stateFile: string;
  databaseFile: string;
}

export function dataDirLayout(root: string): DataDirLayout {
  const abs = resolve(root);
  return {
    root: abs,
    blobs: join(abs, 'blobs'),
    reports: join(abs, 'reports'),
    jobs: join(abs, 'jobs'),
    tmp: join(abs, 'tmp'),
    db: join(abs, 'db'),
    stateFile: join(abs, 'db', 'state.json'),
    databaseFile: join(abs, 'db', 'firmwarden.sqlite'),
  };
}

export function prepareDataDir(root: string): DataDirLayout {
  const layout = dataDirLayout(root);
  for (const dir of [layout.root, layout.blobs, layout.reports, layout.jobs, layout.tmp, layout.db]) {
    mkdirSync(dir, { recursive: true, mode: 0o750 });
  }
  sweepTemp(layout.tmp);
  return layout;
}

/** Temp files left by a killed process are garbage by construction (nothing is renamed out of tmp/ half-way). */
function sweepTemp(tmp: string): void {
  for (const name of readdirSync(tmp)) {
    const p = join(tmp, name);
    try {
      if (statSync(p).isFile()) safeUnlink(p);
    } catch {
      // raced with another sweeper; fine
    }
  }
}
