import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BINARY_SCANS, CATALOGERS } from '../../../service/analyze/sbom/detectors.js';
import { packageRoot } from '../../../service/paths.js';

// unblob's habit: a registered unit without a test beside its fixture fails the suite.
describe('SBOM detector registry', () => {
  it('every cataloger is exercised by a test in test/analyze/sbom/catalogers/', () => {
    const dir = join(packageRoot, 'test', 'analyze', 'sbom', 'catalogers');
    const tests = readdirSync(dir)
      .filter((f) => f.endsWith('.test.ts'))
      .map((f) => readFileSync(join(dir, f), 'utf8'))
      .join('\n');
    const untested = CATALOGERS.filter((c) => !new RegExp(`runCataloger\\(\\s*${exportName(c.name)}\\b`).test(tests));
    expect(untested.map((c) => c.name)).toEqual([]);
    expect(new Set(CATALOGERS.map((c) => c.name)).size).toBe(CATALOGERS.length);
  });

  it('the binary classifiers are registered once binary-scan.ts exists', async () => {
    const file = join(packageRoot, 'service', 'analyze', 'sbom', 'binary-scan.ts');
    if (!existsSync(file)) return;
    const mod = (await import(pathToFileURL(file).href)) as { scanBinaries?: unknown };
    expect(typeof mod.scanBinaries).toBe('function');
    expect(BINARY_SCANS).toContain(mod.scanBinaries);
  });
});

/** "dpkg-status" -> "dpkgStatus": the exported constant's name. */
function exportName(name: string): string {
  return name.replace(/-([a-z])/g, (_, ch: string) => ch.toUpperCase());
}
