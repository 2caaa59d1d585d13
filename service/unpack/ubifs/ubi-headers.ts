// UBI on-flash headers (drivers/mtd/ubi/ubi-media.h), all big-endian: the erase-counter header ("UBI#") at
// the start of every physical eraseblock (PEB), the volume-ID header ("UBI!") that says which logical block
// (LEB) of which volume a PEB holds, and the volume table kept in the layout volume.
import type { ByteSource } from '../byte-source.js';
import { crc32 } from '../codecs/checksums.js';

export const EC_MAGIC = 0x55424923; // "UBI#"
export const VID_MAGIC = 0x55424921; // "UBI!"
export const HEADER_SIZE = 64;
export const LAYOUT_VOLUME_ID = 0x7fffefff;
export const VTBL_RECORD_SIZE = 172;
export const MAX_VOLUMES = 128;
export const VID_DYNAMIC = 1;
export const VID_STATIC = 2;

/** UBI's CRC: crc32 seeded with ~0 and not inverted at the end, i.e. the complement of zlib's. */
export function ubiCrc(data: Uint8Array): number {
  return ~crc32(data) >>> 0;
}

export interface EcHeader {
  version: number;
  ec: number;
  vidHdrOffset: number;
  dataOffset: number;
  imageSeq: number;
}

export interface VidHeader {
  volType: number;
  copyFlag: number;
  compat: number;
  volId: number;
  lnum: number;
  dataSize: number;
  usedEbs: number;
  dataPad: number;
  dataCrc: number;
  sqnum: number;
}

export interface VtblRecord {
  volId: number;
  reservedPebs: number;
  alignment: number;
  dataPad: number;
  volType: number;
  updMarker: number;
  name: string;
  flags: number;
}

/** 'bad-crc' when the magic is there but the header is damaged. */
export function parseEcHeader(b: Buffer): EcHeader | 'bad-crc' | null {
  if (b.length < HEADER_SIZE || b.readUInt32BE(0) !== EC_MAGIC) return null;
  if (ubiCrc(b.subarray(0, 60)) !== b.readUInt32BE(60)) return 'bad-crc';
  return {
    version: b[4] as number,
    ec: b.readUInt32BE(8) * 2 ** 32 + b.readUInt32BE(12),
    vidHdrOffset: b.readUInt32BE(16),
    dataOffset: b.readUInt32BE(20),
    imageSeq: b.readUInt32BE(24),
  };
}

export function parseVidHeader(b: Buffer): VidHeader | 'bad-crc' | null {
  if (b.length < HEADER_SIZE || b.readUInt32BE(0) !== VID_MAGIC) return null;
  if (ubiCrc(b.subarray(0, 60)) !== b.readUInt32BE(60)) return 'bad-crc';
  return {
    volType: b[5] as number,
    copyFlag: b[6] as number,
    compat: b[7] as number,
    volId: b.readUInt32BE(8),
    lnum: b.readUInt32BE(12),
    dataSize: b.readUInt32BE(20),
    usedEbs: b.readUInt32BE(24),
    dataPad: b.readUInt32BE(28),
    dataCrc: b.readUInt32BE(32),
    sqnum: b.readUInt32BE(40) * 2 ** 32 + b.readUInt32BE(44),
  };
}

/** Records of a volume table copy; undefined when a record fails its CRC (the copy is then damaged). */
export function parseVtbl(leb: Buffer): { records: VtblRecord[]; bad: number } {
  const records: VtblRecord[] = [];
  let bad = 0;
  const n = Math.min(MAX_VOLUMES, Math.floor(leb.length / VTBL_RECORD_SIZE));
  for (let i = 0; i < n; i++) {
    const r = leb.subarray(i * VTBL_RECORD_SIZE, (i + 1) * VTBL_RECORD_SIZE);
    if (ubiCrc(r.subarray(0, 168)) !== r.readUInt32BE(168)) {
      bad++;
      continue;
    }
    const reservedPebs = r.readUInt32BE(0);
    if (reservedPebs === 0) continue;
    const nameLen = Math.min(r.readUInt16BE(14), 127);
    records.push({
      volId: i,
      reservedPebs,
      alignment: r.readUInt32BE(4),
      dataPad: r.readUInt32BE(8),
      volType: r[12] as number,
      updMarker: r[13] as number,
      name: r.toString('utf8', 16, 16 + nameLen),
      flags: r[144] as number,
    });
  }
  return { records, bad };
}

export interface UbiGeometry {
  pebSize: number;
  vidHdrOffset: number;
  dataOffset: number;
  imageSeq: number;
  /** PEBs from the start to the last one with a UBI header (trailing erased blocks are flash padding). */
  pebCount: number;
  truncated: boolean;
}

const SEARCH_BYTES = 16 * 1024 * 1024;
const MAX_PEB = 16 * 1024 * 1024;

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

function sameImage(ec: EcHeader | 'bad-crc' | null, first: EcHeader): boolean {
  return (
    ec !== null && ec !== 'bad-crc' && ec.version === first.version && ec.vidHdrOffset === first.vidHdrOffset &&
    ec.dataOffset === first.dataOffset && (ec.imageSeq === first.imageSeq || first.imageSeq === 0 || ec.imageSeq === 0)
  );
}

const isErased = (b: Buffer): boolean => b.length > 0 && b.every((x) => x === 0xff);

/**
 * The geometry of a UBI image starting at `start`: the PEB size is the greatest common divisor of the
 * distances to the next valid EC headers (an erased PEB in between only doubles one distance), the min I/O
 * unit shows in where the VID header and data start.
 */
export function detectGeometry(src: ByteSource, start: number): UbiGeometry | null {
  const first = parseEcHeader(src.read(start, HEADER_SIZE));
  if (first === null || first === 'bad-crc' || first.version !== 1) return null;
  const { vidHdrOffset, dataOffset } = first;
  if (vidHdrOffset < HEADER_SIZE || vidHdrOffset % 8 !== 0 || dataOffset < vidHdrOffset + HEADER_SIZE || dataOffset > MAX_PEB) return null;
  const magic = Buffer.from('UBI#', 'latin1');
  let pebSize = 0;
  let found = 0;
  const limit = Math.min(src.size, start + SEARCH_BYTES);
  const WIN = 1 << 20;
  for (let pos = start + 1; pos < limit && found < 8; pos += WIN) {
    const buf = src.read(pos, Math.min(WIN + 3, limit - pos));
    for (let i = buf.indexOf(magic); i >= 0 && found < 8; i = buf.indexOf(magic, i + 1)) {
      const at = pos + i;
      if (at >= pos + WIN) break;
      if (!sameImage(parseEcHeader(src.read(at, HEADER_SIZE)), first)) continue;
      // A header off the PEB grid (another image right behind this one) would shrink the size below a PEB.
      const g = gcd(at - start, pebSize);
      if (g <= dataOffset) continue;
      pebSize = g;
      found++;
    }
  }
  if (found === 0 || pebSize <= dataOffset || pebSize > MAX_PEB) return null;
  // Walk the PEBs: the image ends after the last one holding a UBI header.
  let pebCount = 0;
  for (let i = 0; start + i * pebSize < src.size; i++) {
    const head = src.read(start + i * pebSize, HEADER_SIZE);
    if (head.length >= 4 && head.readUInt32BE(0) === EC_MAGIC) pebCount = i + 1;
    else if (!isErased(head)) break;
  }
  return {
    pebSize,
    vidHdrOffset,
    dataOffset,
    imageSeq: first.imageSeq,
    pebCount,
    truncated: start + pebCount * pebSize > src.size,
  };
}
