// Where a decompressor's output goes: kept as the list of buffers it produced, cut at a byte cap that the
// engine derives from the limits, so a bomb stops at the cap instead of at the heap limit.
import { ChunkListSource, type ByteSource } from './byte-source.js';
import type { PayloadSink } from './handler.js';

export class CappedSink implements PayloadSink {
  private readonly parts: Buffer[] = [];
  private written = 0;
  private full = false;

  /** onCut runs once, when a write would pass the cap. */
  constructor(
    private readonly cap: number,
    private readonly onCut: () => void,
  ) {}

  get size(): number {
    return this.written;
  }

  write(data: Buffer): boolean {
    if (this.full) return false;
    const room = this.cap - this.written;
    if (data.length <= room) {
      this.parts.push(data);
      this.written += data.length;
      return true;
    }
    if (room > 0) this.parts.push(Buffer.from(data.subarray(0, room)));
    this.written += Math.max(0, room);
    this.full = true;
    this.onCut();
    return false;
  }

  finish(): ByteSource {
    return new ChunkListSource(this.parts);
  }
}
