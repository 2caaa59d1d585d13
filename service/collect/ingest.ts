import { basename } from 'node:path';
import type { Readable } from 'node:stream';
import type { EventBus } from '../bus.js';
import { FirmwardenError } from '../errors.js';
import type { JobQueue } from '../jobs/job-queue.js';
import type { Store } from '../store/store.js';
import type { JobRecord } from '../store/types.js';

export interface Arrival {
  /** "watch:inbox", "upload", "tftp:<target>" ... */
  source: string;
  tag?: string | null | undefined;
  fileName: string;
  originalPath?: string | null | undefined;
  claimedSha256?: string | null | undefined;
  deviceId?: string | null | undefined;
}

export interface IngestResult {
  sha256: string;
  size: number;
  isNew: boolean;
  job: JobRecord | null;
}

/**
 * The one way bytes enter Firmwarden, whatever the source: store them (content addressed), record where they
 * came from, and queue an analysis once per distinct image.
 */
export class Ingest {
  constructor(
    private readonly store: Store,
    private readonly queue: JobQueue,
    private readonly bus: EventBus,
    private readonly maxImageBytes: number,
  ) {}

  async fromFile(path: string, arrival: Omit<Arrival, 'fileName'> & { fileName?: string }): Promise<IngestResult> {
    const { createReadStream } = await import('node:fs');
    return this.fromStream(createReadStream(path), { ...arrival, fileName: arrival.fileName ?? basename(path) });
  }

  async fromStream(input: Readable, arrival: Arrival): Promise<IngestResult> {
    let put;
    try {
      put = await this.store.blobs.putStream(input, { maxBytes: this.maxImageBytes });
    } catch (err) {
      if (err instanceof FirmwardenError) {
        throw new FirmwardenError(err.code, `${arrival.fileName}: ${err.message}`, err.details, { cause: err });
      }
      throw err;
    }
    const { isNew } = this.store.firmware.recordArrival({
      sha256: put.sha256,
      size: put.size,
      fileName: arrival.fileName,
      provenance: {
        source: arrival.source,
        tag: arrival.tag ?? null,
        originalPath: arrival.originalPath ?? null,
        receivedAt: new Date().toISOString(),
        claimedSha256: arrival.claimedSha256 ?? null,
        deviceId: arrival.deviceId ?? null,
      },
    });
    this.bus.emit('firmwareReceived', {
      sha256: put.sha256,
      size: put.size,
      fileName: arrival.fileName,
      source: arrival.source,
      tag: arrival.tag ?? undefined,
      duplicate: !isNew,
    });
    // Analyze once per distinct image: a known image is analyzed again only if it never got a report.
    const record = this.store.firmware.get(put.sha256);
    const needsAnalysis = isNew || (record && record.status !== 'analyzed' && !this.store.jobs.openJobFor(put.sha256));
    const job = needsAnalysis ? this.queue.submit(put.sha256, arrival.fileName) : null;
    return { sha256: put.sha256, size: put.size, isNew, job };
  }
}
