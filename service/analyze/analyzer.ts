import type { FileSystemView } from '../unpack/vfs.js';
import type { ExtractionSummary, Report, ReportError } from '../report/report-types.js';

/** The report sections an analyzer may contribute to; the pipeline appends each array to the report. */
export type AnalyzerOutput = Partial<
  Pick<Report, 'components' | 'vulnerabilities' | 'binaries' | 'accounts' | 'certificates' | 'keys' | 'findings'>
>;

export interface AnalysisSettings {
  analyzerTimeoutMs: number;
  /** Free-form, per-analyzer settings from config (analysis.<name>). */
  options: Record<string, unknown>;
}

export interface AnalysisContext {
  image: { path: string; sha256: string; size: number; fileName: string };
  filesystems: readonly FileSystemView[];
  /** What the unpacker found and could not open (unknown regions, errors). */
  extraction: ExtractionSummary;
  /** Outputs of the analyzers this one declared in dependsOn. */
  dependencyOutput<O extends AnalyzerOutput>(analyzer: Analyzer<O>): O | undefined;
  settings: AnalysisSettings;
  /** Aborted when the analyzer's time is up: long loops must check it. */
  signal: AbortSignal;
  progress(fraction: number, message?: string): void;
  error(e: Omit<ReportError, 'stage'>): void;
}

/**
 * An analysis unit (DESIGN.md "Units of extension"). Dependencies are object references, not names, so a
 * misspelt dependency is a compile error; bumping `version` marks old reports as stale.
 */
export interface Analyzer<O extends AnalyzerOutput = AnalyzerOutput> {
  readonly name: string;
  readonly version: string;
  readonly dependsOn: readonly Analyzer[];
  readonly timeoutMs?: number;
  analyze(ctx: AnalysisContext): Promise<O>;
}
