// The bytes of one ext file as a ByteSource: read on demand through its block map, holes as zeros, so a
// 1 GiB sparse file costs what is read of it, and a contiguous file is read straight from the image.
import type { ByteSource } from '../byte-source.js';
import type { Runs } from './block-map.js';

const EMPTY = Buffer.alloc(0);

export class ExtFileSource implements ByteSource {
  private runs: Runs | undefined;

  constructor(
    private readonly image: ByteSource,
    private readonly blockSize: number,
    readonly size: number,
    /** Builds the block map the first time bytes are wanted. */
    private readonly mapper: () => Runs,
    /** Told when the map or the data turns out damaged (those bytes read as zeros); truncated: the image ends early. */
    private readonly onDamage: (why: string, truncated: boolean) => void,
  ) {}

  private map(): Runs {
    if (!this.runs) {
      this.runs = this.mapper();
      if (this.runs.damage) this.onDamage(this.runs.damage, this.runs.truncated === true);
    }
    return this.runs;
  }

  /** The damage a read met (a map pointing outside the image, a cut-short block), if any. */
  get damage(): { message: string; truncated: boolean } | undefined {
    const r = this.map();
    return r.damage === undefined ? undefined : { message: r.damage, truncated: r.truncated === true };
  }

  read(offset: number, length: number): Buffer {
    const start = Math.max(0, Math.floor(offset));
    const end = Math.min(this.size, Math.floor(offset + length));
    if (!(end > start)) return EMPTY;
    const r = this.map();
    const bs = this.blockSize;
    // First run that may hold `start`: the last one whose first block is <= the block of start.
    const firstBlock = Math.floor(start / bs);
    let lo = 0;
    let hi = r.logical.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (r.logical[mid]! <= firstBlock) lo = mid;
      else hi = mid - 1;
    }
    // One run covering the whole range: hand back the image's bytes without copying.
    if (r.logical.length > 0) {
      const l = r.logical[lo]! * bs;
      const e = l + r.length[lo]! * bs;
      if (l <= start && end <= e) {
        const at = r.physical[lo]! * bs + (start - l);
        const got = this.image.read(at, end - start);
        if (got.length === end - start) return got;
      }
    }
    const out = Buffer.alloc(end - start);
    for (let i = lo; i < r.logical.length; i++) {
      const l = r.logical[i]! * bs;
      if (l >= end) break;
      const e = l + r.length[i]! * bs;
      const s = Math.max(start, l);
      const t = Math.min(end, e);
      if (t <= s) continue;
      const got = this.image.read(r.physical[i]! * bs + (s - l), t - s);
      got.copy(out, s - start);
      if (got.length < t - s && r.damage === undefined) {
        r.damage = 'file data lies past the end of the image';
        r.truncated = true;
        this.onDamage(r.damage, true);
      }
    }
    return out;
  }

  subrange(start: number, end: number): ByteSource {
    return new SliceSource(this, start, end);
  }
}

/** A window of another source (subrange() of sources that are not views of a plain buffer or file). */
export class SliceSource implements ByteSource {
  readonly size: number;
  private readonly base: number;
  constructor(
    private readonly parent: ByteSource,
    start: number,
    end: number,
  ) {
    this.base = Math.min(parent.size, Math.max(0, Math.floor(start)));
    this.size = Math.max(0, Math.min(parent.size, Math.floor(end)) - this.base);
  }
  read(offset: number, length: number): Buffer {
    const s = Math.max(0, Math.floor(offset));
    const e = Math.min(this.size, Math.floor(offset + length));
    return e > s ? this.parent.read(this.base + s, e - s) : EMPTY;
  }
  subrange(start: number, end: number): ByteSource {
    const s = Math.min(this.size, Math.max(0, Math.floor(start)));
    return new SliceSource(this.parent, this.base + s, this.base + Math.min(this.size, Math.max(s, Math.floor(end))));
  }
}
