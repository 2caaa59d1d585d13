// A short run of the fuzzer (test/fuzz/run-fuzz.ts) on every registered format, with a fixed seed so a
// failure is the same on every machine: no mutated image may make the unpacker throw anything but a
// FirmwardenError, crash its process, run out of its 256 MiB heap, or take more than 10 s. The long run
// (10,000 cases per format) is `node --import tsx test/fuzz/run-fuzz.ts --per-format 10000 --seed N`.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Rng, caseSeed, mutate } from './mutate.js';
import { formatSummary, runFuzz } from './run-fuzz.js';

const CASES_PER_FORMAT = 150;
const SEED = 20251124;

const findingsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fw-fuzz-findings-'));
let keepFindings = false;
// Saved cases stay in the temp dir when there are findings (the failure message names them).
afterAll(() => {
  if (!keepFindings) fs.rmSync(findingsDir, { recursive: true, force: true });
});

describe('unpacker fuzzing (short run)', () => {
  it('mutates deterministically: a case is its seed image plus its case seed', () => {
    const seed = Buffer.alloc(100_000, 0x5a);
    const other = Buffer.alloc(5000, 0xa5);
    const run = (i: number): Buffer => mutate(seed, new Rng(caseSeed(SEED, 'x', i)), other).data;
    let changed = 0;
    for (let i = 0; i < 200; i++) {
      expect(run(i).equals(run(i))).toBe(true);
      if (!run(i).equals(seed)) changed++;
    }
    expect(changed).toBeGreaterThan(190);
  });

  it(`survives ${CASES_PER_FORMAT} mutations of every registered format`, { timeout: 1_800_000 }, async () => {
    const summary = await runFuzz({ perFormat: CASES_PER_FORMAT, seed: SEED, findingsDir, timeoutMs: 10_000, workers: 2, heapMb: 256 });
    const table = formatSummary(summary);
    process.stdout.write(`${table}\n`);
    expect(summary.stats.length, 'formats fuzzed').toBeGreaterThan(0);
    for (const s of summary.stats) expect(s.cases, s.format).toBe(CASES_PER_FORMAT);
    // Findings name their saved case (bytes + JSON with the mutation); replay one with
    // `node --import tsx test/fuzz/run-fuzz.ts --replay <file>`.
    keepFindings = summary.findings.length > 0;
    expect(summary.findings.map((f) => `${f.kind} ${f.format}: ${f.message.slice(0, 500)}`)).toEqual([]);
  });
});
