import { existsSync, readFileSync, renameSync } from 'node:fs';
import { Low } from 'lowdb';
import { JSONFile } from 'lowdb/node';

/**
 * The small appliance state edited from the console (settings overrides, users, source definitions).
 * lowdb rewrites the whole file on each write (DESIGN.md: fine for KBs, not for bulk data — that is SQLite).
 * lowdb's JSONFile writes via steno (temp file + rename), so a kill -9 leaves the old or the new file.
 */
export interface ApplianceState {
  settings: Record<string, unknown>;
  users: Array<{ name: string; role: 'admin' | 'viewer'; passwordHash: string }>;
  sources: Array<{ id: string; kind: string; enabled: boolean; definition: Record<string, unknown> }>;
}

export function emptyState(): ApplianceState {
  return { settings: {}, users: [], sources: [] };
}

export async function openStateStore(file: string): Promise<Low<ApplianceState>> {
  // A state file that is not valid JSON (disk damage, a hand edit) is set aside, never silently overwritten.
  if (existsSync(file)) {
    try {
      JSON.parse(readFileSync(file, 'utf8'));
    } catch {
      renameSync(file, `${file}.corrupt-${Date.now()}`);
    }
  }
  const db = new Low<ApplianceState>(new JSONFile<ApplianceState>(file), emptyState());
  await db.read();
  db.data = { ...emptyState(), ...(db.data ?? {}) };
  if (!existsSync(file)) await db.write();
  return db;
}
