// Every registered handler must have a fixture test at test/unpack/handlers/<name>.test.ts, or for the
// compressed-stream handlers test/unpack/streams/<name>.test.ts (the unblob rule: a format without a
// fixture is a format nobody knows works).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { HANDLERS } from '../../service/unpack/registry.js';

const here = path.dirname(fileURLToPath(import.meta.url));

describe('handler registry', () => {
  it('has a fixture test for every handler', () => {
    const covered = ['handlers', 'streams']
      .flatMap((dir) => fs.readdirSync(path.join(here, dir)))
      .filter((f) => f.endsWith('.test.ts'))
      .map((f) => f.slice(0, -'.test.ts'.length));
    const names = HANDLERS.map((h) => h.name);
    expect(names.filter((n) => !covered.includes(n))).toEqual([]);
  });

  it('has unique names and at least one magic per handler', () => {
    const names = HANDLERS.map((h) => h.name);
    expect(new Set(names).size).toBe(names.length);
    for (const h of HANDLERS) expect(h.magics.length, h.name).toBeGreaterThan(0);
  });
});
