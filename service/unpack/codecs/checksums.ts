// The integrity checks the containers carry: CRC32 (zlib's, native), CRC64 (xz; ECMA-182 reflected, our own
// since Node has none), the MSB-first CRC32 bzip2 uses, Adler-32 (lzop) and xxHash32 (LZ4 frames).
import * as zlib from 'node:zlib';

export function crc32(data: Uint8Array, prev = 0): number {
  return zlib.crc32(data, prev) >>> 0;
}

// CRC64 kept as two 32-bit halves (JS bit operators are 32-bit; BigInt per byte would be 50x slower), and
// sliced by 8: table k holds the CRC of a byte followed by k zero bytes, so 8 input bytes cost 16 lookups.
const CRC64_LO: Uint32Array[] = [];
const CRC64_HI: Uint32Array[] = [];
{
  // Reflected polynomial 0xC96C5795D7870F42.
  const POLY_HI = 0xc96c5795;
  const POLY_LO = 0xd7870f42;
  const lo0 = new Uint32Array(256);
  const hi0 = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let lo = i;
    let hi = 0;
    for (let k = 0; k < 8; k++) {
      const carry = lo & 1;
      lo = ((lo >>> 1) | (hi << 31)) >>> 0;
      hi >>>= 1;
      if (carry) {
        lo = (lo ^ POLY_LO) >>> 0;
        hi = (hi ^ POLY_HI) >>> 0;
      }
    }
    lo0[i] = lo;
    hi0[i] = hi;
  }
  CRC64_LO.push(lo0);
  CRC64_HI.push(hi0);
  for (let t = 1; t < 8; t++) {
    const pl = CRC64_LO[t - 1] as Uint32Array;
    const ph = CRC64_HI[t - 1] as Uint32Array;
    const lo = new Uint32Array(256);
    const hi = new Uint32Array(256);
    for (let i = 0; i < 256; i++) {
      const idx = (pl[i] as number) & 0xff;
      lo[i] = ((((pl[i] as number) >>> 8) | ((ph[i] as number) << 24)) ^ (lo0[idx] as number)) >>> 0;
      hi[i] = (((ph[i] as number) >>> 8) ^ (hi0[idx] as number)) >>> 0;
    }
    CRC64_LO.push(lo);
    CRC64_HI.push(hi);
  }
}

/** Incremental CRC64 as xz computes it; digest() gives the 8 little-endian bytes stored in the file. */
export class Crc64 {
  private lo = 0xffffffff;
  private hi = 0xffffffff;

  update(data: Uint8Array): void {
    const [l0, l1, l2, l3, l4, l5, l6, l7] = CRC64_LO as [Uint32Array, Uint32Array, Uint32Array, Uint32Array, Uint32Array, Uint32Array, Uint32Array, Uint32Array];
    const [h0, h1, h2, h3, h4, h5, h6, h7] = CRC64_HI as [Uint32Array, Uint32Array, Uint32Array, Uint32Array, Uint32Array, Uint32Array, Uint32Array, Uint32Array];
    let lo = this.lo;
    let hi = this.hi;
    let i = 0;
    const end8 = data.length - 8;
    for (; i <= end8; i += 8) {
      const a = (lo ^ ((data[i] as number) | ((data[i + 1] as number) << 8) | ((data[i + 2] as number) << 16) | ((data[i + 3] as number) << 24))) >>> 0;
      const b = (hi ^ ((data[i + 4] as number) | ((data[i + 5] as number) << 8) | ((data[i + 6] as number) << 16) | ((data[i + 7] as number) << 24))) >>> 0;
      lo =
        ((l7[a & 0xff] as number) ^ (l6[(a >>> 8) & 0xff] as number) ^ (l5[(a >>> 16) & 0xff] as number) ^ (l4[a >>> 24] as number) ^
          (l3[b & 0xff] as number) ^ (l2[(b >>> 8) & 0xff] as number) ^ (l1[(b >>> 16) & 0xff] as number) ^ (l0[b >>> 24] as number)) >>> 0;
      hi =
        ((h7[a & 0xff] as number) ^ (h6[(a >>> 8) & 0xff] as number) ^ (h5[(a >>> 16) & 0xff] as number) ^ (h4[a >>> 24] as number) ^
          (h3[b & 0xff] as number) ^ (h2[(b >>> 8) & 0xff] as number) ^ (h1[(b >>> 16) & 0xff] as number) ^ (h0[b >>> 24] as number)) >>> 0;
    }
    for (; i < data.length; i++) {
      const idx = (lo ^ (data[i] as number)) & 0xff;
      lo = (((lo >>> 8) | (hi << 24)) ^ (l0[idx] as number)) >>> 0;
      hi = ((hi >>> 8) ^ (h0[idx] as number)) >>> 0;
    }
    this.lo = lo;
    this.hi = hi;
  }

  digest(): Buffer {
    const out = Buffer.alloc(8);
    out.writeUInt32LE((this.lo ^ 0xffffffff) >>> 0, 0);
    out.writeUInt32LE((this.hi ^ 0xffffffff) >>> 0, 4);
    return out;
  }
}

const CRC32_MSB = new Uint32Array(256);
for (let i = 0; i < 256; i++) {
  let c = i << 24;
  for (let k = 0; k < 8; k++) c = c & 0x80000000 ? (c << 1) ^ 0x04c11db7 : c << 1;
  CRC32_MSB[i] = c >>> 0;
}

/** bzip2's CRC32: same polynomial as zlib's, but MSB-first and not reflected. Pass ~0 to start, invert at end. */
export function crc32Msb(data: Uint8Array, start: number, end: number, crc: number): number {
  let c = crc;
  for (let i = start; i < end; i++) c = (c << 8) ^ (CRC32_MSB[((c >>> 24) ^ (data[i] as number)) & 0xff] as number);
  return c >>> 0;
}

export function crc32MsbTable(): Uint32Array {
  return CRC32_MSB;
}

export function adler32(data: Uint8Array, prev = 1): number {
  let a = prev & 0xffff;
  let b = prev >>> 16;
  let i = 0;
  while (i < data.length) {
    // Reducing every 5552 bytes keeps the sums small integers (zlib's NMAX), as the modulo is the slow part.
    const end = Math.min(data.length, i + 5552);
    for (; i < end; i++) {
      a += data[i] as number;
      b += a;
    }
    a %= 65521;
    b %= 65521;
  }
  return ((b << 16) | a) >>> 0;
}

const P1 = 0x9e3779b1;
const P2 = 0x85ebca77;
const P3 = 0xc2b2ae3d;
const P4 = 0x27d4eb2f;
const P5 = 0x165667b1;

function rotl(x: number, r: number): number {
  return (x << r) | (x >>> (32 - r));
}

function lane(d: Uint8Array, i: number): number {
  return ((d[i] as number) | ((d[i + 1] as number) << 8) | ((d[i + 2] as number) << 16) | ((d[i + 3] as number) << 24)) >>> 0;
}

function round(acc: number, input: number): number {
  return Math.imul(rotl((acc + Math.imul(input, P2)) | 0, 13), P1);
}

/** Incremental xxHash32 (LZ4 frame header and content checksums). */
export class Xxh32 {
  private v1: number;
  private v2: number;
  private v3: number;
  private v4: number;
  private readonly tail = new Uint8Array(16);
  private tailLen = 0;
  private total = 0;

  constructor(private readonly seed = 0) {
    this.v1 = (seed + P1 + P2) | 0;
    this.v2 = (seed + P2) | 0;
    this.v3 = seed | 0;
    this.v4 = (seed - P1) | 0;
  }

  update(data: Uint8Array): void {
    this.total += data.length;
    let i = 0;
    if (this.tailLen > 0) {
      const take = Math.min(16 - this.tailLen, data.length);
      this.tail.set(data.subarray(0, take), this.tailLen);
      this.tailLen += take;
      i = take;
      if (this.tailLen < 16) return;
      this.stripe(this.tail, 0);
      this.tailLen = 0;
    }
    for (; i + 16 <= data.length; i += 16) this.stripe(data, i);
    if (i < data.length) {
      this.tail.set(data.subarray(i), 0);
      this.tailLen = data.length - i;
    }
  }

  private stripe(d: Uint8Array, i: number): void {
    this.v1 = round(this.v1, lane(d, i));
    this.v2 = round(this.v2, lane(d, i + 4));
    this.v3 = round(this.v3, lane(d, i + 8));
    this.v4 = round(this.v4, lane(d, i + 12));
  }

  digest(): number {
    let acc: number;
    if (this.total >= 16) acc = (rotl(this.v1, 1) + rotl(this.v2, 7) + rotl(this.v3, 12) + rotl(this.v4, 18)) | 0;
    else acc = (this.seed + P5) | 0;
    acc = (acc + this.total) | 0;
    const t = this.tail;
    let i = 0;
    for (; i + 4 <= this.tailLen; i += 4) acc = Math.imul(rotl((acc + Math.imul(lane(t, i), P3)) | 0, 17), P4);
    for (; i < this.tailLen; i++) acc = Math.imul(rotl((acc + Math.imul(t[i] as number, P5)) | 0, 11), P1);
    acc ^= acc >>> 15;
    acc = Math.imul(acc, P2);
    acc ^= acc >>> 13;
    acc = Math.imul(acc, P3);
    acc ^= acc >>> 16;
    return acc >>> 0;
  }
}

export function xxh32(data: Uint8Array, seed = 0): number {
  const h = new Xxh32(seed);
  h.update(data);
  return h.digest();
}
