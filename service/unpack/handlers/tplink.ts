// TP-Link router firmware header (OpenWrt firmware-utils mktplinkfw.c / mktplinkfw2.c, tpl-tool): 512
// bytes, big-endian, header version 1 (vendor "TP-LINK Technologies" or "OpenWrt", version string, hardware
// id, two MD5 fields, kernel load/entry, total length, kernel/rootfs/bootloader offset+length, x.y.z
// firmware version) or 2/3 (a 48-byte version string "ver. 2.0" and the same fields moved up). The image's
// MD5 (md5sum1) is over the whole firmware with a fixed salt in its place, and is checked.
//
// A firmware "with bootloader" (boot_len set) is an image inside an image: header, bootloader, then at
// 0x20200 a second header describing kernel and rootfs. The outer chunk is then header + bootloader area
// only, opened to the bootloader as a payload (the carver finds the U-Boot uImage inside it), and the inner
// firmware is left to the carver, which finds its header right after and opens it as a firmware of its own.
// Otherwise the firmware opens to a tree: the kernel (decompressed when it is an LZMA or other known stream:
// "vmlinux", its banner in the chunk's meta; else "kernel" as stored) and "rootfs".
import { ErrorCodes } from '../../errors.js';
import type { ByteSource } from '../byte-source.js';
import { magic, type Chunk, type Handler, type OpenContext, type OpenResult } from '../handler.js';
import { decodeOrRaw, OutputBudget, sniffCompression } from '../wrappers/decompress.js';
import { findLinuxBanner } from '../wrappers/linux-banner.js';
import { digestOf, fieldText, partsTree, type Part } from '../wrappers/parts.js';

const HEADER_SIZE = 0x200;
const INNER_HEADER_AT = 0x20200;
const MAX_FIRMWARE = 128 << 20;
// md5salt_normal and md5salt_boot, written over md5sum1 before hashing the firmware: mktplinkfw's (v1), and
// mktplinkfw2's (v2/v3 headers; some v2 builders use the v1 pair, so both are accepted there).
const SALTS_V1 = { normal: Buffer.from('dcd73aa5c39598fbddf9e7f40eae4738', 'hex'), boot: Buffer.from('8cef335bd5c5cefaa79c28dab2e90f42', 'hex') };
const SALTS_V2 = { normal: Buffer.from('dcd73aa5c39598fbdcf9e7f40eae4737', 'hex'), boot: Buffer.from('8cef335fd5c5cefaac9c28dab2e90f42', 'hex') };

interface TpHeader {
  version: number;
  vendor?: string;
  firmwareVersion: string;
  hwId: number;
  hwRev: number;
  md5At: number;
  length: number;
  kernelOffset: number;
  kernelLength: number;
  rootfsOffset: number;
  rootfsLength: number;
  bootOffset: number;
  bootLength: number;
  release: string;
}

function readHeader(src: ByteSource, start: number): TpHeader | null {
  const h = src.read(start, HEADER_SIZE);
  if (h.length < 0xa0) return null;
  const version = h.readUInt32BE(0);
  let header: TpHeader;
  if (version === 0x01000000) {
    const vendor = fieldText(h, 0x04, 24);
    const firmwareVersion = fieldText(h, 0x1c, 36);
    if (!vendor || firmwareVersion === undefined) return null;
    header = {
      version: 1, vendor, firmwareVersion, hwId: h.readUInt32BE(0x40), hwRev: h.readUInt32BE(0x44), md5At: 0x4c,
      length: h.readUInt32BE(0x7c), kernelOffset: h.readUInt32BE(0x80), kernelLength: h.readUInt32BE(0x84),
      rootfsOffset: h.readUInt32BE(0x88), rootfsLength: h.readUInt32BE(0x8c), bootOffset: h.readUInt32BE(0x90), bootLength: h.readUInt32BE(0x94),
      release: `${h.readUInt16BE(0x98)}.${h.readUInt16BE(0x9a)}.${h.readUInt16BE(0x9c)}`,
    };
  } else if (version === 0x02000000 || version === 0x03000000) {
    // The version string is padded with NULs or with 0xFF (erased flash) after its terminator.
    const firmwareVersion = fieldText(h, 0x04, 48);
    if (!firmwareVersion) return null;
    header = {
      version: version >>> 24, firmwareVersion, hwId: h.readUInt32BE(0x34), hwRev: h.readUInt32BE(0x38), md5At: 0x40,
      length: h.readUInt32BE(0x70), kernelOffset: h.readUInt32BE(0x74), kernelLength: h.readUInt32BE(0x78),
      rootfsOffset: h.readUInt32BE(0x7c), rootfsLength: h.readUInt32BE(0x80), bootOffset: h.readUInt32BE(0x84), bootLength: h.readUInt32BE(0x88),
      release: `${h[0x91] as number}.${h[0x92] as number}.${h[0x93] as number}`,
    };
  } else {
    return null;
  }
  const { length, kernelOffset, kernelLength, rootfsOffset, rootfsLength, bootLength } = header;
  if (length < HEADER_SIZE || length > MAX_FIRMWARE) return null;
  if (kernelLength === 0 || kernelOffset < HEADER_SIZE || kernelOffset + kernelLength > length) return null;
  if (rootfsLength > 0 && (rootfsOffset < HEADER_SIZE || rootfsOffset + rootfsLength > length)) return null;
  if (bootLength > length) return null;
  return header;
}

/** The inner firmware header of an image with a bootloader, when there is one where tpl-tool expects it. */
function innerHeader(src: ByteSource, start: number, h: TpHeader): TpHeader | null {
  if (h.version !== 1 || h.bootLength === 0 || HEADER_SIZE + h.bootLength > INNER_HEADER_AT) return null;
  return readHeader(src, start + INNER_HEADER_AT);
}

/** Checks md5sum1: the MD5 of the firmware with the salt in its place (skipped when the field is blank). */
function checkMd5(src: ByteSource, start: number, h: TpHeader, ctx: OpenContext): void {
  const head = Buffer.from(src.read(start, HEADER_SIZE));
  const stored = Buffer.from(head.subarray(h.md5At, h.md5At + 16));
  if (stored.every((b) => b === 0) || stored.every((b) => b === 0xff)) return;
  if (start + h.length > src.size) return;
  const body = src.subrange(start + HEADER_SIZE, start + h.length);
  const kind = h.bootLength > 0 ? 'boot' : 'normal';
  let digest: Buffer | undefined;
  for (const salts of h.version === 1 ? [SALTS_V1] : [SALTS_V2, SALTS_V1]) {
    salts[kind].copy(head, h.md5At);
    digest = digestOf('md5', body, ctx.signal, head);
    if (digest.equals(stored)) return;
  }
  ctx.problem(ErrorCodes.UNPACK_MALFORMED, `TP-Link firmware MD5 mismatch (header ${stored.toString('hex')}, data ${digest?.toString('hex')})`);
}

export const tplinkHandler: Handler = {
  name: 'tplink',
  kind: 'wrapper',
  // The header version with what follows it: the vendor (v1) or the "ver. " string (v2/v3). "01 00 00 00"
  // alone would send every small integer in an image to identify().
  magics: [
    magic([0x01, 0, 0, 0, ...Buffer.from('TP-LINK')]),
    magic([0x01, 0, 0, 0, ...Buffer.from('OpenWrt')]),
    magic([0x02, 0, 0, 0, ...Buffer.from('ver. ')]),
    magic([0x03, 0, 0, 0, ...Buffer.from('ver. ')]),
  ],

  identify(src, start) {
    const h = readHeader(src, start);
    if (!h) return null;
    const inner = innerHeader(src, start, h);
    const size = inner ? INNER_HEADER_AT : h.length;
    const truncated = start + size > src.size;
    return {
      start,
      end: truncated ? src.size : start + size,
      meta: {
        headerVersion: h.version,
        ...(h.vendor !== undefined ? { vendor: h.vendor } : {}),
        firmwareVersion: h.firmwareVersion,
        release: h.release,
        hardwareId: `0x${h.hwId.toString(16).padStart(8, '0')}`,
        hardwareRevision: h.hwRev,
        firmwareLength: h.length,
        kernel: { offset: h.kernelOffset, length: h.kernelLength },
        rootfs: { offset: h.rootfsOffset, length: h.rootfsLength },
        ...(h.bootLength > 0 ? { bootloader: { offset: HEADER_SIZE, length: h.bootLength }, innerFirmwareAt: inner ? INNER_HEADER_AT : undefined } : {}),
        truncated,
      },
    };
  },

  async open(src: ByteSource, chunk: Chunk, ctx: OpenContext): Promise<OpenResult> {
    const h = readHeader(src, chunk.start);
    if (!h) throw new Error('TP-Link header no longer valid');
    checkMd5(src, chunk.start, h, ctx);
    const body = src.subrange(chunk.start, chunk.end);
    if (chunk.meta['truncated'] === true) ctx.problem(ErrorCodes.UNPACK_TRUNCATED, `TP-Link firmware declares ${h.length} bytes; only ${body.size} present`);
    const boot = h.bootLength > 0 ? body.subrange(HEADER_SIZE, HEADER_SIZE + h.bootLength) : undefined;
    if (boot && chunk.meta['innerFirmwareAt'] !== undefined) return { kind: 'payload', data: boot, name: 'bootloader' };

    const parts: Part[] = [];
    if (boot && boot.size > 0) parts.push({ name: 'bootloader', data: boot });
    const section = (name: string, offset: number, length: number): ByteSource | undefined => {
      const data = body.subrange(offset, offset + length);
      if (data.size < length) ctx.problem(ErrorCodes.UNPACK_TRUNCATED, `${name}: ${data.size} of ${length} bytes present`, `/${name}`);
      return data.size > 0 ? data : undefined;
    };
    const kernel = section('kernel', h.kernelOffset, h.kernelLength);
    if (kernel) {
      const kind = sniffCompression(kernel.read(0, 32));
      const out = kind ? await decodeOrRaw(kind, kernel, new OutputBudget(ctx, chunk.end - chunk.start).sink(), ctx, `TP-Link kernel (${kind})`) : undefined;
      if (out?.decoded) {
        const banner = findLinuxBanner(out.data, ctx.signal);
        if (banner) chunk.meta['linuxBanner'] = banner;
        parts.push({ name: 'vmlinux', data: out.data });
      } else {
        parts.push({ name: 'kernel', data: kernel });
      }
    }
    const rootfs = h.rootfsLength > 0 ? section('rootfs', h.rootfsOffset, h.rootfsLength) : undefined;
    if (rootfs) parts.push({ name: 'rootfs', data: rootfs });
    return { kind: 'tree', tree: partsTree('tplink', parts, ctx) };
  },
};
