// Accuracy of the binary classifiers on real foreign-architecture binaries, without any package database:
//   node --import tsx test/sbom-accuracy/run.ts [arch ...]      (default: armhf mipsel arm64)
// Builds one root filesystem per architecture from the labelled Debian packages (packages.ts), runs
// scanBinaries over it, and prints recall and precision of (name, version) against each package's upstream
// version, per package and overall. Exits 1 when overall recall < 95% or precision < 98%.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildTree } from './build-tree.js';
import { haveDebianTools } from './debian.js';
import { ACCURACY_PACKAGES } from './packages.js';
import { scoreTree, type Score } from './score.js';

const RECALL_TARGET = 0.95;
const PRECISION_TARGET = 0.98;

const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;

async function main(): Promise<number> {
  if (!haveDebianTools()) {
    console.error('apt-get and dpkg-deb are needed (Debian host)');
    return 2;
  }
  const arches = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ['armhf', 'mipsel', 'arm64'];
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'fw-sbom-accuracy-'));
  const scores: Score[] = [];
  try {
    for (const arch of arches) {
      const built = buildTree(arch, ACCURACY_PACKAGES, path.join(work, arch));
      const s = await scoreTree(arch, built.root, built.truth);
      scores.push(s);
      console.log(`\n== ${arch}: ${s.files} files, ${(s.bytes / 1e6).toFixed(1)} MB, scan ${s.scanMs.toFixed(0)} ms`);
      if (built.unavailable.length) console.log(`   not in the archive for ${arch}: ${built.unavailable.join(', ')}`);
      for (const p of s.packages) {
        const mark = p.found ? 'ok  ' : 'MISS';
        console.log(`   ${mark} ${p.deb.padEnd(20)} ${p.expected}${p.wrong.length ? `   wrong: ${p.wrong.join('; ')}` : ''}`);
      }
      console.log(`   recall ${pct(s.recall)} (${s.packages.filter((p) => p.found).length}/${s.truthCount})  precision ${pct(s.precision)} (${s.truePositives}/${s.detectedCount})`);
      if (s.falsePositives.length) console.log(`   not in the truth: ${s.falsePositives.join(', ')}`);
    }
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
  const tp = scores.reduce((n, s) => n + s.truePositives, 0);
  const truth = scores.reduce((n, s) => n + s.truthCount, 0);
  const detected = scores.reduce((n, s) => n + s.detectedCount, 0);
  const recall = truth === 0 ? 1 : scores.reduce((n, s) => n + s.packages.filter((p) => p.found).length, 0) / truth;
  const precision = detected === 0 ? 1 : tp / detected;
  console.log(`\noverall (${scores.map((s) => s.arch).join(', ')}): recall ${pct(recall)}, precision ${pct(precision)}  (targets ${pct(RECALL_TARGET)} / ${pct(PRECISION_TARGET)})`);
  return recall >= RECALL_TARGET && precision >= PRECISION_TARGET ? 0 : 1;
}

process.exitCode = await main();
