import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Analyzer } from '../../service/analyze/analyzer.js';
import { orderAnalyzers } from '../../service/analyze/analyzer-order.js';
import { analyzeImage } from '../../service/analyze/pipeline.js';
import { makeFinding } from '../../service/report/empty-report.js';
import { DEFAULT_UNPACK_LIMITS } from '../../service/unpack/limits.js';
import { expectValidReport } from '../helpers/report-schema.js';
import { tempDir } from '../helpers/temp-dir.js';

const dir = tempDir();
const image = join(dir, 'random.bin');
writeFileSync(image, randomBytes(64 * 1024));

const base = { limits: DEFAULT_UNPACK_LIMITS, analyzerTimeoutMs: 2000 };

function analyzer(name: string, dependsOn: Analyzer[], fn: Analyzer['analyze'], timeoutMs?: number): Analyzer {
  return { name, version: '1', dependsOn, analyze: fn, ...(timeoutMs ? { timeoutMs } : {}) };
}

describe('analysis pipeline', () => {
  it('orders analyzers by their dependencies and passes outputs along', async () => {
    const seen: string[] = [];
    const a = analyzer('a', [], async () => {
      seen.push('a');
      return { findings: [makeFinding({ kind: 'k', severity: 'low', title: 'from a', path: '/x', evidence: 'e' })] };
    });
    const b = analyzer('b', [a], async (ctx) => {
      seen.push('b');
      const fromA = ctx.dependencyOutput(a)?.findings?.length ?? 0;
      return { findings: [makeFinding({ kind: 'k', severity: 'info', title: `a gave ${fromA}`, path: null, evidence: '' })] };
    });
    const report = await analyzeImage({ ...base, imagePath: image, analyzers: [b, a] });
    expect(seen).toEqual(['a', 'b']);
    expect(report.findings.map((f) => f.title)).toEqual(['from a', 'a gave 1']);
    expectValidReport(report);
  });

  it('a failing analyzer is recorded, its dependents are skipped, the others still run', async () => {
    const bad = analyzer('bad', [], async () => {
      throw new Error('boom');
    });
    const needsBad = analyzer('needs-bad', [bad], async () => ({}));
    const fine = analyzer('fine', [], async () => ({
      findings: [makeFinding({ kind: 'ok', severity: 'info', title: 'fine ran', path: null, evidence: '' })],
    }));
    const report = await analyzeImage({ ...base, imagePath: image, analyzers: [bad, needsBad, fine] });
    const status = Object.fromEntries(report.analysis.analyzers.map((a) => [a.name, a.status]));
    expect(status).toMatchObject({ bad: 'failed', 'needs-bad': 'skipped', fine: 'ok' });
    expect(report.analysis.errors.map((e) => e.code).sort()).toEqual(['FW_ERR_ANALYZER_FAILED', 'FW_ERR_ANALYZER_SKIPPED']);
    expect(report.analysis.errors.find((e) => e.stage === 'bad')?.message).toContain('boom');
    expect(report.findings).toHaveLength(1);
    expectValidReport(report);
  });

  it('an analyzer past its time limit is cut off and reported as a timeout', async () => {
    let aborted = false;
    const slow = analyzer(
      'slow',
      [],
      (ctx) =>
        new Promise((resolve) => {
          ctx.signal.addEventListener('abort', () => {
            aborted = true;
            resolve({});
          });
        }),
      100,
    );
    const report = await analyzeImage({ ...base, imagePath: image, analyzers: [slow] });
    expect(report.analysis.analyzers[0]?.status).toBe('timeout');
    expect(report.analysis.errors[0]?.code).toBe('FW_ERR_ANALYZER_TIMEOUT');
    expect(aborted).toBe(true);
  });

  it('rejects a dependency cycle', () => {
    const x: Analyzer = { name: 'x', version: '1', dependsOn: [], analyze: async () => ({}) };
    const y: Analyzer = { name: 'y', version: '1', dependsOn: [x], analyze: async () => ({}) };
    (x as unknown as { dependsOn: Analyzer[] }).dependsOn = [y];
    expect(() => orderAnalyzers([x])).toThrow(/cycle: x -> y -> x/);
  });

  it('random bytes give a valid report with one high-entropy unknown region and the encrypted-image finding', async () => {
    const report = await analyzeImage({ ...base, imagePath: image });
    expectValidReport(report);
    expect(report.firmware.size).toBe(64 * 1024);
    const region = report.extraction.unknownRegions[0]!;
    expect(region.entropy).toBeGreaterThan(7.9);
    expect(report.findings.map((f) => f.kind)).toContain('encrypted-image');
  });

  it('an empty file gives a valid report carrying FW_ERR_INPUT_EMPTY', async () => {
    const empty = join(dir, 'empty.bin');
    writeFileSync(empty, '');
    const report = await analyzeImage({ ...base, imagePath: empty });
    expectValidReport(report);
    expect(report.extraction.errors.map((e) => e.code)).toContain('FW_ERR_INPUT_EMPTY');
    expect(report.findings).toEqual([]);
  });

  it('a directory or a missing path is an input error, not a report', async () => {
    await expect(analyzeImage({ ...base, imagePath: dir })).rejects.toMatchObject({ code: 'FW_ERR_INPUT_NOT_A_FILE' });
    await expect(analyzeImage({ ...base, imagePath: join(dir, 'missing') })).rejects.toMatchObject({
      code: 'FW_ERR_INPUT_NOT_FOUND',
    });
  });
});
