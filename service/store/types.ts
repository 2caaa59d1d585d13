// Records kept in SQLite (store/database.ts). These are what the API returns, so no secret may live here.

export type FirmwareStatus = 'queued' | 'analyzing' | 'analyzed' | 'failed';
export type JobStatus = 'queued' | 'running' | 'done' | 'failed';

export interface Provenance {
  /** Collector that delivered the bytes: "watch:inbox", "upload", "tftp:plc-12" ... */
  source: string;
  tag: string | null;
  /** Name or path at the source, as the source gave it. */
  originalPath: string | null;
  receivedAt: string;
  /** Checksum the source claimed, when it gave one; compared with ours by the collector. */
  claimedSha256: string | null;
  deviceId: string | null;
}

export interface FirmwareRecord {
  sha256: string;
  size: number;
  fileName: string;
  firstSeenAt: string;
  lastSeenAt: string;
  status: FirmwareStatus;
  latestJobId: string | null;
  analyzedAt: string | null;
  findingCount: number;
  errorCount: number;
  provenance: Provenance[];
}

export interface JobRecord {
  id: string;
  sha256: string;
  fileName: string;
  status: JobStatus;
  attempts: number;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  stage: string | null;
  /** 0..1 */
  progress: number;
  errorCode: string | null;
  errorMessage: string | null;
}

export interface FindingRow {
  sha256: string;
  findingId: string;
  kind: string;
  severity: string;
  title: string;
  path: string | null;
}

export interface Page {
  limit: number;
  offset: number;
}
