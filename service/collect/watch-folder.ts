import { mkdirSync, renameSync, unlinkSync } from 'node:fs';
import { basename, isAbsolute, join, relative, resolve } from 'node:path';
import { watch, type FSWatcher } from 'chokidar';
import type { EventBus } from '../bus.js';
import type { WatchFolderConfig } from '../config/config-types.js';
import { errorCode, errorMessage } from '../errors.js';
import type { Logger } from '../log.js';
import type { Ingest } from './ingest.js';

const PROCESSED_DIR = 'processed';
const FAILED_DIR = 'failed';

/**
 * A watched folder: each file, once it has stopped growing (awaitWriteFinish — without it chokidar reports a
 * file long before it is written), is ingested and then deleted, moved or kept as configured.
 */
export class WatchFolder {
  private watcher: FSWatcher | undefined;
  readonly dir: string;
  readonly source: string;

  constructor(
    private readonly cfg: WatchFolderConfig,
    dataDir: string,
    private readonly ingest: Ingest,
    private readonly bus: EventBus,
    private readonly logger: Logger,
  ) {
    this.dir = isAbsolute(cfg.path) ? cfg.path : resolve(dataDir, cfg.path);
    this.source = `watch:${cfg.tag || basename(this.dir)}`;
  }

  async start(): Promise<void> {
    mkdirSync(this.dir, { recursive: true, mode: 0o750 });
    this.watcher = watch(this.dir, {
      // Our own processed/ and failed/ subfolders, and dot files (editors' and rsync's temp files), are not input.
      ignored: (p: string) => {
        const rel = relative(this.dir, p);
        return rel === PROCESSED_DIR || rel === FAILED_DIR || rel.startsWith(`${PROCESSED_DIR}/`) ||
          rel.startsWith(`${FAILED_DIR}/`) || basename(p).startsWith('.');
      },
      depth: 0,
      ignoreInitial: false,
      awaitWriteFinish: { stabilityThreshold: this.cfg.stabilityThresholdMs ?? 2000, pollInterval: 100 },
    });
    this.watcher.on('add', (path) => void this.handle(path));
    this.watcher.on('error', (err) => {
      this.logger.error({ dir: this.dir, err: errorMessage(err) }, 'watch folder error');
      this.bus.emit('collectorStatus', { source: this.source, status: 'error', message: errorMessage(err) });
    });
    await new Promise<void>((r) => this.watcher!.once('ready', () => r()));
    this.logger.info({ dir: this.dir, tag: this.cfg.tag }, 'watching folder');
  }

  async stop(): Promise<void> {
    await this.watcher?.close();
    this.watcher = undefined;
  }

  private async handle(path: string): Promise<void> {
    const name = basename(path);
    try {
      const res = await this.ingest.fromFile(path, { source: this.source, tag: this.cfg.tag || null, originalPath: path });
      this.logger.info({ file: name, sha256: res.sha256, duplicate: !res.isNew }, 'image received from watch folder');
      this.afterProcessing(path, PROCESSED_DIR);
      this.bus.emit('collectorStatus', { source: this.source, status: 'ok' });
    } catch (err) {
      const code = errorCode(err);
      // A file that vanished before we read it is not an error of the folder: log and move on.
      const level = code === 'ENOENT' ? 'warn' : 'error';
      this.logger[level]({ file: name, code, err: errorMessage(err) }, 'cannot take file from watch folder');
      this.bus.emit('collectorStatus', { source: this.source, status: 'error', message: `${name}: ${errorMessage(err)}` });
      if (code !== 'ENOENT') this.moveAside(path, FAILED_DIR);
    }
  }

  private afterProcessing(path: string, sub: string): void {
    const mode = this.cfg.afterProcessing ?? 'delete';
    if (mode === 'keep') return;
    if (mode === 'delete') {
      try {
        unlinkSync(path);
      } catch {
        // already gone
      }
      return;
    }
    this.moveAside(path, sub);
  }

  /** Move out of the watched level (so it is not taken again), never overwriting an earlier file. */
  private moveAside(path: string, sub: string): void {
    if ((this.cfg.afterProcessing ?? 'delete') === 'keep') return;
    try {
      const dir = join(this.dir, sub);
      mkdirSync(dir, { recursive: true });
      renameSync(path, join(dir, `${Date.now()}-${basename(path)}`));
    } catch {
      // vanished meanwhile; nothing to keep
    }
  }
}
