// Byte order of one squashfs image. Vendors built big-endian images for MIPS/PowerPC boards (Broadcom, AVM),
// so every integer of every table is read through one of these, chosen once from the superblock's magic.
export interface Endian {
  readonly little: boolean;
  u16(b: Buffer, at: number): number;
  u32(b: Buffer, at: number): number;
  /** 64-bit values as numbers: offsets inside an image stay far below 2^53; larger ones read as Infinity. */
  u64(b: Buffer, at: number): number;
  /**
   * A packed bitfield of squashfs 2.x/3.x structures, as GCC lays them out: counted from the least significant
   * bit of the first byte on little-endian builds, from the most significant bit on big-endian ones.
   * `bit` is the field's position from the start of the structure at `at`; width up to 32 bits.
   */
  bits(b: Buffer, at: number, bit: number, width: number): number;
}

const TWO32 = 2 ** 32;

function u64le(b: Buffer, at: number): number {
  const hi = b.readUInt32LE(at + 4);
  return hi >= 0x200000 ? Number.POSITIVE_INFINITY : hi * TWO32 + b.readUInt32LE(at);
}

function u64be(b: Buffer, at: number): number {
  const hi = b.readUInt32BE(at);
  return hi >= 0x200000 ? Number.POSITIVE_INFINITY : hi * TWO32 + b.readUInt32BE(at + 4);
}

function bitsLe(b: Buffer, at: number, bit: number, width: number): number {
  const first = at + (bit >> 3);
  const shift = bit & 7;
  const bytes = (shift + width + 7) >> 3;
  let v = 0;
  for (let i = bytes - 1; i >= 0; i--) v = v * 256 + (b[first + i] as number);
  return Math.floor(v / 2 ** shift) % 2 ** width;
}

function bitsBe(b: Buffer, at: number, bit: number, width: number): number {
  const first = at + (bit >> 3);
  const shift = bit & 7;
  const bytes = (shift + width + 7) >> 3;
  let v = 0;
  for (let i = 0; i < bytes; i++) v = v * 256 + (b[first + i] as number);
  return Math.floor(v / 2 ** (bytes * 8 - shift - width)) % 2 ** width;
}

export const LITTLE: Endian = {
  little: true,
  u16: (b, at) => b.readUInt16LE(at),
  u32: (b, at) => b.readUInt32LE(at),
  u64: u64le,
  bits: bitsLe,
};

export const BIG: Endian = {
  little: false,
  u16: (b, at) => b.readUInt16BE(at),
  u32: (b, at) => b.readUInt32BE(at),
  u64: u64be,
  bits: bitsBe,
};
