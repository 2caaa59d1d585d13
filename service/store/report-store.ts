import { existsSync, mkdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Report } from '../report/report-types.js';
import { writeFileAtomic } from './atomic-write.js';

/**
 * Reports are files, written once: reports/<sha256>/<jobId>.json. A re-analysis writes a new file and the
 * firmware record moves its pointer, so a crash half-way never damages the previous report.
 */
export class ReportStore {
  constructor(private readonly dir: string) {}

  fileFor(sha256: string, jobId: string): string {
    return join(this.dir, sha256, `${jobId}.json`);
  }

  write(sha256: string, jobId: string, report: Report): string {
    mkdirSync(join(this.dir, sha256), { recursive: true, mode: 0o750 });
    const file = this.fileFor(sha256, jobId);
    writeFileAtomic(file, JSON.stringify(report));
    return file;
  }

  async read(file: string): Promise<Buffer | undefined> {
    if (!existsSync(file)) return undefined;
    return readFile(file);
  }
}
