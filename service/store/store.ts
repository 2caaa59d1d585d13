import type { Low } from 'lowdb';
import { BlobStore } from './blob-store.js';
import { openDatabase, type Db } from './database.js';
import { prepareDataDir, type DataDirLayout } from './data-dir.js';
import { FindingsRepo } from './findings-repo.js';
import { FirmwareRepo } from './firmware-repo.js';
import { JobRepo } from './job-repo.js';
import { ReportStore } from './report-store.js';
import { openStateStore, type ApplianceState } from './state-store.js';

export interface Store {
  layout: DataDirLayout;
  db: Db;
  blobs: BlobStore;
  reports: ReportStore;
  firmware: FirmwareRepo;
  jobs: JobRepo;
  findings: FindingsRepo;
  state: Low<ApplianceState>;
  close(): void;
}

export async function openStore(dataDir: string): Promise<Store> {
  const layout = prepareDataDir(dataDir);
  const db = openDatabase(layout.databaseFile);
  const state = await openStateStore(layout.stateFile);
  return {
    layout,
    db,
    blobs: new BlobStore(layout.blobs, layout.tmp),
    reports: new ReportStore(layout.reports),
    firmware: new FirmwareRepo(db),
    jobs: new JobRepo(db),
    findings: new FindingsRepo(db),
    state,
    close: () => {
      if (db.open) db.close();
    },
  };
}
