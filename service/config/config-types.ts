// The shape of config/config.schema.json. Keep the two in step: the loader validates against the schema and
// then trusts this type.
export interface WatchFolderConfig {
  path: string;
  tag?: string;
  afterProcessing?: 'delete' | 'keep' | 'move';
  stabilityThresholdMs?: number;
}

export interface FirmwardenConfig {
  dataDir: string;
  api: { host: string; port: number };
  log: { level: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent'; format: 'json' | 'pretty' | 'auto' };
  jobs: { concurrency: number; timeoutSeconds: number; maxHeapMb: number; maxAttempts: number; keepWorkDir: boolean };
  analysis: { analyzerTimeoutSeconds: number };
  unpack: { maxDepth: number; maxTotalBytes: number; maxRatio: number; maxFiles: number };
  collect: { maxImageBytes: number; watchFolders: WatchFolderConfig[] };
  systemd: { watchdog: boolean };
}
