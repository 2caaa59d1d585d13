// UBI attach, read-only: every PEB's VID header says which LEB of which volume it holds; the copy with the
// highest sequence number wins (UBI writes a new copy before erasing the old one, so a power cut leaves two).
// A volume is then the bytes of its LEBs in order, produced on demand from the image.
import type { ByteSource } from '../byte-source.js';
import { SliceSource } from '../ext/file-source.js';
import { crc32 } from '../codecs/checksums.js';
import {
  HEADER_SIZE,
  LAYOUT_VOLUME_ID,
  parseEcHeader,
  parseVidHeader,
  parseVtbl,
  type UbiGeometry,
  type VidHeader,
  type VtblRecord,
} from './ubi-headers.js';

export interface LebCopy {
  peb: number;
  vid: VidHeader;
}

export interface ScanResult {
  /** vol_id -> lnum -> the copy that counts. */
  volumes: Map<number, Map<number, LebCopy>>;
  badEc: number;
  badVid: number;
  /** PEBs holding a VID header of a LEB that a newer copy replaced. */
  stale: number;
}

/** Reads every PEB's headers and keeps, per (volume, LEB), the newest good copy. */
export function scanPebs(img: ByteSource, g: UbiGeometry, signal?: AbortSignal): ScanResult {
  const volumes = new Map<number, Map<number, LebCopy>>();
  let badEc = 0;
  let badVid = 0;
  let stale = 0;
  for (let peb = 0; peb < g.pebCount; peb++) {
    if ((peb & 1023) === 0) signal?.throwIfAborted();
    const base = peb * g.pebSize;
    const ec = parseEcHeader(img.read(base, HEADER_SIZE));
    if (ec === 'bad-crc') badEc++;
    // Like the kernel, a damaged EC header does not hide a good VID header (the EC header is rewritten last).
    const vid = parseVidHeader(img.read(base + g.vidHdrOffset, HEADER_SIZE));
    if (vid === null) continue;
    if (vid === 'bad-crc') {
      badVid++;
      continue;
    }
    let lebs = volumes.get(vid.volId);
    if (!lebs) volumes.set(vid.volId, (lebs = new Map()));
    const other = lebs.get(vid.lnum);
    if (!other) {
      lebs.set(vid.lnum, { peb, vid });
      continue;
    }
    stale++;
    const [newer, older] = vid.sqnum > other.vid.sqnum ? [{ peb, vid }, other] : [other, { peb, vid }];
    // A copy made by wear-levelling (copy_flag) may have been cut by a power loss: its data CRC decides.
    lebs.set(vid.lnum, newer.vid.copyFlag && !dataCrcOk(img, g, newer) ? older : newer);
  }
  return { volumes, badEc, badVid, stale };
}

function dataCrcOk(img: ByteSource, g: UbiGeometry, c: LebCopy): boolean {
  const data = img.read(c.peb * g.pebSize + g.dataOffset, c.vid.dataSize);
  return data.length === c.vid.dataSize && (~crc32(data) >>> 0) === c.vid.dataCrc;
}

/** The volume table from the layout volume's first good copy (LEB 0, else LEB 1). */
export function readVolumeTable(img: ByteSource, g: UbiGeometry, scan: ScanResult): { records: VtblRecord[]; damaged: boolean } | undefined {
  const layout = scan.volumes.get(LAYOUT_VOLUME_ID);
  if (!layout) return undefined;
  const lebSize = g.pebSize - g.dataOffset;
  let fallback: { records: VtblRecord[]; damaged: boolean } | undefined;
  for (const lnum of [0, 1]) {
    const c = layout.get(lnum);
    if (!c) continue;
    const t = parseVtbl(img.read(c.peb * g.pebSize + g.dataOffset, lebSize));
    if (t.bad === 0) return { records: t.records, damaged: false };
    fallback ??= { records: t.records, damaged: true };
  }
  return fallback;
}

const EMPTY = Buffer.alloc(0);

/**
 * A volume's bytes: LEB i is `lens[i]` bytes read from its PEB (0xFF, like erased flash, when unmapped), so a
 * UBIFS inside sees each LEB at lnum * leb_size exactly as on the device.
 */
export class UbiVolumeSource implements ByteSource {
  readonly size: number;
  private readonly starts: Float64Array;

  constructor(
    private readonly img: ByteSource,
    private readonly pebSize: number,
    private readonly dataOffset: number,
    /** PEB of each LEB, -1 when unmapped. */
    private readonly pebs: Int32Array,
    private readonly lens: Int32Array,
  ) {
    this.starts = new Float64Array(pebs.length + 1);
    for (let i = 0; i < pebs.length; i++) this.starts[i + 1] = this.starts[i]! + lens[i]!;
    this.size = this.starts[pebs.length]!;
  }

  private lebAt(offset: number): number {
    let lo = 0;
    let hi = this.pebs.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  private piece(leb: number, at: number, n: number): Buffer {
    const peb = this.pebs[leb]!;
    if (peb < 0) return Buffer.alloc(n, 0xff);
    const got = this.img.read(peb * this.pebSize + this.dataOffset + at, n);
    // A PEB cut off by the end of the image reads as erased flash past the cut.
    return got.length === n ? got : Buffer.concat([got, Buffer.alloc(n - got.length, 0xff)]);
  }

  read(offset: number, length: number): Buffer {
    const start = Math.max(0, Math.floor(offset));
    const end = Math.min(this.size, Math.floor(offset + length));
    if (!(end > start)) return EMPTY;
    let leb = this.lebAt(start);
    const inFirst = start - this.starts[leb]!;
    if (end <= this.starts[leb + 1]!) return this.piece(leb, inFirst, end - start);
    const out = Buffer.allocUnsafe(end - start);
    let pos = start;
    while (pos < end) {
      const lebEnd = Math.min(end, this.starts[leb + 1]!);
      this.piece(leb, pos - this.starts[leb]!, lebEnd - pos).copy(out, pos - start);
      pos = lebEnd;
      leb++;
    }
    return out;
  }

  subrange(start: number, end: number): ByteSource {
    return new SliceSource(this, start, end);
  }
}

export interface VolumeLayout {
  pebs: Int32Array;
  lens: Int32Array;
  /** LEBs a static volume declares but the image lacks. */
  missing: number;
}

/**
 * The LEB list of one volume. Dynamic: `lebCount` LEBs of the full usable size. Static: used_ebs LEBs with
 * the data size each VID header states (the last one is usually short).
 */
export function volumeLayout(lebs: Map<number, LebCopy>, usable: number, lebCount: number, isStatic: boolean): VolumeLayout {
  const pebs = new Int32Array(lebCount).fill(-1);
  const lens = new Int32Array(lebCount).fill(usable);
  let missing = 0;
  for (const [lnum, c] of lebs) {
    if (lnum >= lebCount) continue;
    pebs[lnum] = c.peb;
    if (isStatic) lens[lnum] = Math.min(usable, c.vid.dataSize);
  }
  if (isStatic) for (let i = 0; i < lebCount; i++) if (pebs[i]! < 0) missing++;
  return { pebs, lens, missing };
}
