// U-Boot legacy image (include/image.h, "uImage"): a 64-byte big-endian header (magic 0x27051956, header
// CRC32, time, data size, load and entry addresses, data CRC32, os, arch, type, compression, 32-byte name)
// and the data. Both CRCs are checked; a mismatch is reported and the image opened anyway (vendors patch
// headers). The data is decompressed as the header says. A multi-file image (type 4) starts its data with a
// zero-terminated table of 32-bit sizes, then the files, each padded to 4 bytes.
import { ErrorCodes } from '../../errors.js';
import type { ByteSource } from '../byte-source.js';
import { crc32 } from '../codecs/checksums.js';
import { magic, type Chunk, type Handler, type OpenContext, type OpenResult } from '../handler.js';
import { decodeOrRaw, OutputBudget, type Compression } from '../wrappers/decompress.js';
import { findLinuxBanner } from '../wrappers/linux-banner.js';
import { crc32Of, fieldText, partsTree, type Part } from '../wrappers/parts.js';
import { kernelImageKind } from './linux-kernel.js';

const MAGIC = 0x27051956;
const HEADER_SIZE = 64;
const NAME_AT = 32;
const NAME_SIZE = 32;
const MAX_MULTI = 256;

const OS = ['invalid', 'openbsd', 'netbsd', 'freebsd', '4_4bsd', 'linux', 'svr4', 'esix', 'solaris', 'irix', 'sco', 'dell', 'ncr', 'lynxos', 'vxworks', 'psos', 'qnx', 'u-boot', 'rtems', 'artos', 'unity', 'integrity', 'ose', 'plan9', 'openrtos', 'arm-trusted-firmware', 'tee', 'opensbi', 'efi', 'elf'];
const ARCH = ['invalid', 'alpha', 'arm', 'x86', 'ia64', 'mips', 'mips64', 'powerpc', 's390', 'sh', 'sparc', 'sparc64', 'm68k', 'nios', 'microblaze', 'nios2', 'blackfin', 'avr32', 'st200', 'sandbox', 'nds32', 'openrisc', 'arm64', 'arc', 'x86_64', 'xtensa', 'riscv'];
const TYPE = ['invalid', 'standalone', 'kernel', 'ramdisk', 'multi', 'firmware', 'script', 'filesystem', 'flat_dt', 'kwbimage', 'imximage', 'ubl', 'omapimage', 'aisimage', 'kernel_noload', 'pblimage', 'mxsimage', 'gpimage', 'atmelimage', 'socfpgaimage', 'x86_setup', 'lpc32xximage', 'loadable', 'rkimage', 'rksd', 'rkspi', 'zynqimage', 'zynqmpimage', 'zynqmpbif', 'fpga', 'vybridimage', 'tee', 'firmware_ivt', 'pmmc', 'stm32image', 'socfpgaimage_v1', 'mtkimage', 'imx8mimage', 'imx8image', 'copro', 'sunxi_egon', 'sunxi_toc0', 'fdt_legacy', 'renesas_spkg', 'starfive'];
const COMPRESSION: Compression[] = ['none', 'gzip', 'bzip2', 'lzma', 'lzo', 'lz4', 'zstd'];
const TYPE_KERNEL = 2;
const TYPE_MULTI = 4;
const TYPE_KERNEL_NOLOAD = 14;
const OS_LINUX = 5;

interface Header {
  headerCrcOk: boolean;
  time: number;
  size: number;
  load: number;
  entry: number;
  dataCrc: number;
  os: number;
  arch: number;
  type: number;
  comp: number;
  name: string;
}

const nameOf = (table: readonly string[], n: number): string => table[n] ?? `unknown-${n}`;

function readHeader(src: ByteSource, start: number): Header | null {
  const h = src.read(start, HEADER_SIZE);
  if (h.length < HEADER_SIZE || h.readUInt32BE(0) !== MAGIC) return null;
  const copy = Buffer.from(h);
  copy.writeUInt32BE(0, 4);
  const headerCrcOk = crc32(copy) === h.readUInt32BE(4);
  const header: Header = {
    headerCrcOk,
    time: h.readUInt32BE(8),
    size: h.readUInt32BE(12),
    load: h.readUInt32BE(16),
    entry: h.readUInt32BE(20),
    dataCrc: h.readUInt32BE(24),
    os: h[28] as number,
    arch: h[29] as number,
    type: h[30] as number,
    comp: h[31] as number,
    name: fieldText(h, NAME_AT, NAME_SIZE) ?? '',
  };
  if (headerCrcOk) return header;
  // A header whose CRC does not match (a patched vendor header) must look right field by field instead.
  const plausible =
    header.os > 0 && header.os < OS.length && header.arch > 0 && header.arch < ARCH.length && header.type > 0 && header.type < TYPE.length &&
    header.comp < COMPRESSION.length && header.size > 0 && fieldText(h, NAME_AT, NAME_SIZE) !== undefined;
  return plausible ? header : null;
}

/** The file name of a payload: "vmlinux" for a Linux kernel, "zImage"/"bzImage" when it is still one. */
function payloadName(h: Header, data: ByteSource): string {
  if (h.os === OS_LINUX && (h.type === TYPE_KERNEL || h.type === TYPE_KERNEL_NOLOAD)) return kernelImageKind(data) ?? 'vmlinux';
  return nameOf(TYPE, h.type);
}

/** The files of a multi-file image: sizes until a zero, then the data of each, 4-byte aligned. */
function multiParts(data: ByteSource, ctx: OpenContext): ByteSource[] {
  const sizes: number[] = [];
  const table = data.read(0, Math.min(data.size, (MAX_MULTI + 1) * 4));
  let at = 0;
  for (;;) {
    if (at + 4 > table.length) {
      ctx.problem(ErrorCodes.UNPACK_MALFORMED, 'multi-file image: size table without its terminating zero');
      return [];
    }
    const n = table.readUInt32BE(at);
    at += 4;
    if (n === 0) break;
    if (sizes.length === MAX_MULTI) {
      ctx.problem(ErrorCodes.UNPACK_LIMIT, `multi-file image: more than ${MAX_MULTI} files`);
      return [];
    }
    sizes.push(n);
  }
  const parts: ByteSource[] = [];
  let pos = at;
  for (const [i, size] of sizes.entries()) {
    if (pos + size > data.size) {
      ctx.problem(ErrorCodes.UNPACK_TRUNCATED, `multi-file image: file ${i} (${size} bytes at ${pos}) runs past the data`);
      if (pos < data.size) parts.push(data.subrange(pos, data.size));
      break;
    }
    parts.push(data.subrange(pos, pos + size));
    pos += (size + 3) & ~3;
  }
  return parts;
}

export const uimageHandler: Handler = {
  name: 'uimage',
  kind: 'wrapper',
  magics: [magic([0x27, 0x05, 0x19, 0x56])],

  identify(src, start) {
    const h = readHeader(src, start);
    if (!h) return null;
    const end = start + HEADER_SIZE + h.size;
    const truncated = end > src.size;
    return {
      start,
      end: truncated ? src.size : end,
      meta: {
        name: h.name,
        os: nameOf(OS, h.os),
        arch: nameOf(ARCH, h.arch),
        type: nameOf(TYPE, h.type),
        compression: COMPRESSION[h.comp] ?? `unknown-${h.comp}`,
        loadAddress: h.load,
        entryPoint: h.entry,
        timestamp: h.time,
        dataSize: h.size,
        headerCrcOk: h.headerCrcOk,
        truncated,
      },
    };
  },

  async open(src: ByteSource, chunk: Chunk, ctx: OpenContext): Promise<OpenResult> {
    const h = readHeader(src, chunk.start);
    if (!h) throw new Error('uImage header no longer valid');
    const data = src.subrange(chunk.start + HEADER_SIZE, chunk.end);
    if (!h.headerCrcOk) ctx.problem(ErrorCodes.UNPACK_MALFORMED, 'uImage header CRC mismatch');
    if (chunk.meta['truncated'] === true) {
      ctx.problem(ErrorCodes.UNPACK_TRUNCATED, `uImage data cut short: ${data.size} of ${h.size} bytes`);
    } else {
      const crc = crc32Of(data, ctx.signal);
      chunk.meta['dataCrcOk'] = crc === h.dataCrc;
      if (crc !== h.dataCrc) ctx.problem(ErrorCodes.UNPACK_MALFORMED, `uImage data CRC mismatch (header 0x${h.dataCrc.toString(16)}, data 0x${crc.toString(16)})`);
    }
    const comp = COMPRESSION[h.comp];
    if (!comp) ctx.problem(ErrorCodes.UNPACK_UNSUPPORTED, `uImage compression ${h.comp} is unknown; the stored bytes are kept`);
    const budget = new OutputBudget(ctx, chunk.end - chunk.start);
    const isLinux = h.os === OS_LINUX && (h.type === TYPE_KERNEL || h.type === TYPE_KERNEL_NOLOAD || h.type === TYPE_MULTI);
    const decode = async (raw: ByteSource, what: string): Promise<ByteSource> => {
      const out = await decodeOrRaw(comp ?? 'none', raw, budget.sink(), ctx, what);
      // A raw kernel stored uncompressed carries its banner as well; a zImage payload has none to find.
      if (isLinux && chunk.meta['linuxBanner'] === undefined) {
        const banner = findLinuxBanner(out.data, ctx.signal);
        if (banner) chunk.meta['linuxBanner'] = banner;
      }
      return out.data;
    };

    if (h.type !== TYPE_MULTI) {
      const payload = await decode(data, 'uImage data');
      return { kind: 'payload', data: payload, name: payloadName(h, payload) };
    }
    // U-Boot's bootm decompresses the first file (the kernel) by the header's compression; the others (a
    // ramdisk, a device tree) are used as stored.
    const files = multiParts(data, ctx);
    const parts: Part[] = [];
    for (const [i, raw] of files.entries()) {
      const content = i === 0 ? await decode(raw, 'uImage file 0') : raw;
      parts.push({ name: i === 0 && h.os === OS_LINUX ? payloadName({ ...h, type: TYPE_KERNEL }, content) : `image-${i}`, data: content, mtime: h.time });
    }
    return { kind: 'tree', tree: partsTree('uimage', parts, ctx) };
  },
};
