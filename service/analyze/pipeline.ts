import { createHash } from 'node:crypto';
import { createReadStream, mkdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { ErrorCodes, errorCode, errorMessage } from '../errors.js';
import { emptyReport } from '../report/empty-report.js';
import type { Report, ReportError } from '../report/report-types.js';
import type { UnpackLimits } from '../unpack/limits.js';
import { unpackImage } from '../unpack/unpack-image.js';
import type { FileSystemView } from '../unpack/vfs.js';
import { extractToDir } from '../unpack/extract-to-dir.js';
import type { Analyzer, AnalyzerOutput } from './analyzer.js';
import { orderAnalyzers } from './analyzer-order.js';
import { ANALYZERS } from './registry.js';
import { checkImageReadable } from './image-input.js';
import { withTimeout } from './with-timeout.js';

export interface PipelineOptions {
  imagePath: string;
  /** Name shown in the report; the path's base name by default. */
  fileName?: string;
  /** Known already when the image came from the blob store. */
  sha256?: string;
  limits: UnpackLimits;
  analyzerTimeoutMs: number;
  analyzerOptions?: Record<string, unknown>;
  analyzers?: readonly Analyzer[];
  signal?: AbortSignal;
  onProgress?: (stage: string, fraction: number, message?: string) => void;
  /** `analyze --extract DIR`: write each extracted filesystem to DIR/<fs id>/, confined there. */
  extractTo?: string;
}

/** Extraction is the first ~40% of the bar; analyzers share the rest. Only for the progress display. */
const EXTRACTION_SHARE = 0.4;

/**
 * The whole analysis of one image, the same for `firmwarden analyze` (in process) and the daemon (inside a job
 * child process). It never throws for bad image content: every problem becomes an error in the report.
 * It throws only when the input cannot be read at all (FW_ERR_INPUT_*), which callers show as such.
 */
export async function analyzeImage(opts: PipelineOptions): Promise<Report> {
  const started = new Date();
  const { size } = checkImageReadable(opts.imagePath);
  const progress = opts.onProgress ?? (() => {});
  const sha256 = opts.sha256 ?? (await sha256File(opts.imagePath));
  const report = emptyReport({ sha256, size, fileName: opts.fileName ?? basename(opts.imagePath) }, started);

  progress('extraction', 0);
  let filesystems: FileSystemView[] = [];
  let release = () => {};
  if (size === 0) {
    report.extraction.errors.push({ code: 'FW_ERR_INPUT_EMPTY', stage: 'extraction', message: 'the image is empty (0 bytes)' });
  } else {
    try {
      const unpacked = await unpackImage({
        imagePath: opts.imagePath,
        limits: opts.limits,
        ...(opts.signal ? { signal: opts.signal } : {}),
        onProgress: (f, m) => progress('extraction', f * EXTRACTION_SHARE, m),
      });
      report.extraction = unpacked.summary;
      filesystems = unpacked.filesystems;
      release = unpacked.close;
    } catch (err) {
      report.extraction.errors.push({ code: errorCode(err), stage: 'extraction', message: errorMessage(err) });
    }
  }

  try {
    if (opts.extractTo) await extractAll(filesystems, opts.extractTo, report);
    await runAnalyzers(opts, report, filesystems, sha256, size, progress);
  } finally {
    release();
  }
  report.analysis.durationMs = Date.now() - started.getTime();
  progress('done', 1);
  return report;
}

async function extractAll(filesystems: readonly FileSystemView[], dir: string, report: Report): Promise<void> {
  for (const fs of filesystems) {
    const target = join(dir, fs.id);
    mkdirSync(target, { recursive: true });
    const res = await extractToDir(fs, target);
    for (const s of res.skipped) {
      report.extraction.errors.push({ code: ErrorCodes.EXTRACT_SKIPPED, stage: 'extract', message: `${fs.id}: not written: ${s.reason}`, path: s.path });
    }
  }
}

async function runAnalyzers(
  opts: PipelineOptions,
  report: Report,
  filesystems: FileSystemView[],
  sha256: string,
  size: number,
  progress: (stage: string, fraction: number, message?: string) => void,
): Promise<void> {
  const ordered = orderAnalyzers(opts.analyzers ?? ANALYZERS);
  const outputs = new Map<Analyzer, AnalyzerOutput>();
  const failed = new Set<Analyzer>();
  for (const [i, analyzer] of ordered.entries()) {
    const t0 = Date.now();
    const base = EXTRACTION_SHARE + ((1 - EXTRACTION_SHARE) * i) / ordered.length;
    const stageShare = (1 - EXTRACTION_SHARE) / ordered.length;
    progress(analyzer.name, base);
    const missing = analyzer.dependsOn.find((d) => failed.has(d));
    if (missing) {
      failed.add(analyzer);
      report.analysis.errors.push({
        code: 'FW_ERR_ANALYZER_SKIPPED',
        stage: analyzer.name,
        message: `skipped: it needs ${missing.name}, which did not finish`,
      });
      report.analysis.analyzers.push({ name: analyzer.name, version: analyzer.version, status: 'skipped', durationMs: 0 });
      continue;
    }
    const errors: ReportError[] = [];
    try {
      const output = await withTimeout(analyzer.timeoutMs ?? opts.analyzerTimeoutMs, opts.signal, (signal) =>
        analyzer.analyze({
          image: { path: opts.imagePath, sha256, size, fileName: report.firmware.fileName },
          filesystems,
          extraction: report.extraction,
          dependencyOutput: <O extends AnalyzerOutput>(a: Analyzer<O>) => outputs.get(a as Analyzer) as O | undefined,
          settings: { analyzerTimeoutMs: opts.analyzerTimeoutMs, options: opts.analyzerOptions ?? {} },
          signal,
          progress: (f, m) => progress(analyzer.name, base + stageShare * Math.min(1, Math.max(0, f)), m),
          error: (e) => errors.push({ ...e, stage: analyzer.name }),
        }),
      );
      outputs.set(analyzer, output);
      mergeOutput(report, output);
      report.analysis.analyzers.push({ name: analyzer.name, version: analyzer.version, status: 'ok', durationMs: Date.now() - t0 });
    } catch (err) {
      failed.add(analyzer);
      const code = errorCode(err);
      const timedOut = code === 'FW_ERR_ANALYZER_TIMEOUT';
      errors.push({
        code: timedOut ? code : 'FW_ERR_ANALYZER_FAILED',
        stage: analyzer.name,
        message: timedOut ? `${analyzer.name} ${errorMessage(err)}` : `${analyzer.name} failed: ${errorMessage(err)}`,
      });
      report.analysis.analyzers.push({
        name: analyzer.name,
        version: analyzer.version,
        status: timedOut ? 'timeout' : 'failed',
        durationMs: Date.now() - t0,
      });
    }
    report.analysis.errors.push(...errors);
  }
}

function mergeOutput(report: Report, out: AnalyzerOutput): void {
  if (out.components) report.components.push(...out.components);
  if (out.vulnerabilities) report.vulnerabilities.push(...out.vulnerabilities);
  if (out.binaries) report.binaries.push(...out.binaries);
  if (out.accounts) report.accounts.push(...out.accounts);
  if (out.certificates) report.certificates.push(...out.certificates);
  if (out.keys) report.keys.push(...out.keys);
  if (out.findings) report.findings.push(...out.findings);
}

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Total number of problems in a report, for the firmware list and the bus. */
export function reportErrorCount(r: Report): number {
  return r.extraction.errors.length + r.analysis.errors.length;
}
