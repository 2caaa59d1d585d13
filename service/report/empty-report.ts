import { createHash } from 'node:crypto';
import { version } from '../paths.js';
import type { Finding, Report, ReportError } from './report-types.js';

/** The skeleton every report starts from, also what a failed job stores so the failure is in the report. */
export function emptyReport(firmware: Report['firmware'], startedAt: Date = new Date()): Report {
  return {
    firmware,
    extraction: { chain: [], fileCount: 0, rootFileSystems: [], unknownRegions: [], errors: [] },
    components: [],
    vulnerabilities: [],
    binaries: [],
    accounts: [],
    certificates: [],
    keys: [],
    findings: [],
    analysis: { version, startedAt: startedAt.toISOString(), durationMs: 0, analyzers: [], errors: [] },
  };
}

/** A report for a job that died (timeout, crash, out of memory): the failure, recorded where users look. */
export function failureReport(firmware: Report['firmware'], error: ReportError, startedAt?: Date): Report {
  const r = emptyReport(firmware, startedAt);
  r.analysis.errors.push(error);
  r.analysis.durationMs = startedAt ? Date.now() - startedAt.getTime() : 0;
  return r;
}

/** Same (kind, path, detail) gives the same id in every re-analysis, so the console and SIEM can track it. */
export function findingId(kind: string, path: string | null, detail = ''): string {
  return `${kind}:${createHash('sha256').update(`${kind}\0${path ?? ''}\0${detail}`).digest('hex').slice(0, 16)}`;
}

export function makeFinding(f: Omit<Finding, 'id'> & { detail?: string }): Finding {
  const { detail, ...rest } = f;
  return { id: findingId(f.kind, f.path, detail ?? f.title), ...rest };
}
