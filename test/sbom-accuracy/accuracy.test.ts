// The accuracy harness on a small subset (five packages, armhf): recall and precision of (name, version) from
// binaries alone. The full run over ~60 packages and three architectures is `node --import tsx
// test/sbom-accuracy/run.ts`. Skipped with a message where apt-get/dpkg-deb or the Debian archive are missing.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildTree } from './build-tree.js';
import { haveDebianTools } from './debian.js';
import { ACCURACY_PACKAGES, QUICK_PACKAGES, upstreamVersion } from './packages.js';
import { scoreTree } from './score.js';

const tools = haveDebianTools();
if (!tools) console.warn('sbom accuracy subset skipped: apt-get and dpkg-deb are needed');

describe('upstreamVersion', () => {
  it('drops epoch, Debian revision and repack suffixes', () => {
    expect(upstreamVersion('1:1.35.0-4+deb12u1+b1')).toBe('1.35.0');
    expect(upstreamVersion('1:1.2.13.dfsg-1')).toBe('1.2.13');
    expect(upstreamVersion('2:8.39-15')).toBe('8.39');
    expect(upstreamVersion('1.5.4+dfsg2-5')).toBe('1.5.4');
    expect(upstreamVersion('1:9.2p1-2+deb12u10')).toBe('9.2p1');
    expect(upstreamVersion('4.4.3-P1-2')).toBe('4.4.3-P1');
  });
});

describe.skipIf(!tools)('accuracy on real armhf binaries (subset)', () => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'fw-sbom-acc-test-'));
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  it('finds every labelled (name, version) and nothing else', { timeout: 600_000 }, async () => {
    const subset = ACCURACY_PACKAGES.filter((p) => QUICK_PACKAGES.includes(p.deb));
    let built;
    try {
      built = buildTree('armhf', subset, path.join(work, 'armhf'));
    } catch (err) {
      console.warn(`sbom accuracy subset skipped: the Debian archive is not reachable (${String(err)})`);
      return;
    }
    expect(built.unavailable).toEqual([]);
    const s = await scoreTree('armhf', built.root, built.truth);
    const report = s.packages.map((p) => `${p.found ? 'ok' : 'MISS'} ${p.expected} ${p.wrong.join('; ')}`).join('\n');
    expect(s.recall, report).toBeGreaterThanOrEqual(0.95);
    expect(s.precision, `${report}\nnot in the truth: ${s.falsePositives.join(', ')}`).toBeGreaterThanOrEqual(0.98);
  });
});
