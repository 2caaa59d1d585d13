import type { Finding } from '../report/report-types.js';
import type { Db } from './database.js';
import type { FindingRow, Page } from './types.js';

/** The findings index: what the console and alert rules query across firmware without opening reports. */
export class FindingsRepo {
  constructor(private readonly db: Db) {}

  /** Replace the index of one firmware with the findings of its latest report, in one transaction. */
  replaceFor(sha256: string, findings: readonly Finding[]): void {
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM findings WHERE sha256 = ?').run(sha256);
      const insert = this.db.prepare(
        'INSERT OR REPLACE INTO findings (sha256, finding_id, kind, severity, title, path) VALUES (?, ?, ?, ?, ?, ?)',
      );
      for (const f of findings) insert.run(sha256, f.id, f.kind, f.severity, f.title, f.path);
    })();
  }

  list(opts: Page & { sha256?: string | undefined; kind?: string | undefined }): FindingRow[] {
    const clauses: string[] = [];
    const args: unknown[] = [];
    if (opts.sha256) {
      clauses.push('sha256 = ?');
      args.push(opts.sha256);
    }
    if (opts.kind) {
      clauses.push('kind = ?');
      args.push(opts.kind);
    }
    const where = clauses.length ? `WHERE ${clauses.join(' AND ')}` : '';
    const rows = this.db
      .prepare(`SELECT * FROM findings ${where} ORDER BY sha256, finding_id LIMIT ? OFFSET ?`)
      .all(...args, opts.limit, opts.offset) as Array<{
      sha256: string;
      finding_id: string;
      kind: string;
      severity: string;
      title: string;
      path: string | null;
    }>;
    return rows.map((r) => ({
      sha256: r.sha256,
      findingId: r.finding_id,
      kind: r.kind,
      severity: r.severity,
      title: r.title,
      path: r.path,
    }));
  }
}
