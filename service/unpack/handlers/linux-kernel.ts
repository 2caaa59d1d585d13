// Self-decompressing Linux kernel images: the ARM zImage (magic 0x016F2818 at 0x24, then start and end
// addresses; either byte order) and the x86 bzImage (boot-protocol header "HdrS" at 0x202, setup sectors,
// syssize, payload_offset/payload_length). Each holds a decompressor stub and the compressed kernel; open()
// finds that stream, decompresses it and hands on the kernel as the payload "vmlinux", with its
// "Linux version ..." banner in the chunk's meta for the SBOM analyzer.
import { ErrorCodes } from '../../errors.js';
import { BufferSource, type ByteSource } from '../byte-source.js';
import { magic, type Chunk, type Handler, type OpenContext, type OpenResult } from '../handler.js';
import { decompress, probeDecode, sniffCompression, type Compression } from '../wrappers/decompress.js';
import { findLinuxBanner } from '../wrappers/linux-banner.js';

const ZIMAGE_MAGIC = 0x016f2818;
const ZIMAGE_MAGIC_AT = 0x24;
const ZIMAGE_ENDIAN_FLAG = 0x04030201;
const MAX_ZIMAGE = 128 << 20;
const BZIMAGE_MAGIC_AT = 0x202;
const MAX_BZIMAGE = 256 << 20;
const WINDOW = 4 << 20;
const PROBE_INPUT = 256 << 10;
/** Candidate streams tried before giving up, and an output size that is a kernel even if a limit cut it. */
const MAX_ATTEMPTS = 4;
const KERNEL_SIZED = 1 << 20;

/** Byte patterns that start a compressed stream, confirmed by sniffCompression and a probe decode. */
const STREAM_MAGICS: Buffer[] = [
  Buffer.from([0x1f, 0x8b, 0x08]),
  Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]),
  Buffer.from('BZh', 'latin1'),
  Buffer.from([0x5d, 0x00, 0x00]),
  Buffer.from([0x89, 0x4c, 0x5a, 0x4f]),
  Buffer.from([0x02, 0x21, 0x4c, 0x18]),
  Buffer.from([0x28, 0xb5, 0x2f, 0xfd]),
];

export type KernelImageKind = 'zImage' | 'bzImage';

interface ZImageHeader {
  kind: 'zImage';
  littleEndian: boolean;
  size: number;
}

interface BzImageHeader {
  kind: 'bzImage';
  size: number;
  protocol: number;
  setupSize: number;
  payloadOffset: number;
  payloadLength: number;
}

function readZImage(head: Buffer): ZImageHeader | null {
  if (head.length < 0x30) return null;
  const le = head.readUInt32LE(ZIMAGE_MAGIC_AT) === ZIMAGE_MAGIC;
  const be = head.readUInt32BE(ZIMAGE_MAGIC_AT) === ZIMAGE_MAGIC;
  if (!le && !be) return null;
  const u32 = (at: number): number => (le ? head.readUInt32LE(at) : head.readUInt32BE(at));
  const start = u32(0x28);
  const end = u32(0x2c);
  const size = end - start;
  if (end <= start || size < 0x100 || size > MAX_ZIMAGE) return null;
  // The word before the magic branches over it ("b 1f", 0xEAxxxxxx in ARM state); newer kernels also carry
  // an endianness flag after the addresses. One of the two must be there: a lone magic in noise is not enough.
  const branch = head.readUInt32LE(0x20) >>> 24 === 0xea || head.readUInt32BE(0x20) >>> 24 === 0xea;
  const flag = head.length >= 0x34 && (head.readUInt32LE(0x30) === ZIMAGE_ENDIAN_FLAG || head.readUInt32BE(0x30) === ZIMAGE_ENDIAN_FLAG);
  if (!branch && !flag) return null;
  return { kind: 'zImage', littleEndian: le, size };
}

function readBzImage(head: Buffer): BzImageHeader | null {
  if (head.length < 0x250 || head.toString('latin1', BZIMAGE_MAGIC_AT, BZIMAGE_MAGIC_AT + 4) !== 'HdrS') return null;
  if (head.readUInt16LE(0x1fe) !== 0xaa55) return null;
  const protocol = head.readUInt16LE(0x206);
  if (protocol < 0x0200 || protocol > 0x02ff) return null;
  const setupSects = (head[0x1f1] as number) || 4;
  const setupSize = (setupSects + 1) * 512;
  const syssize = protocol >= 0x0204 ? head.readUInt32LE(0x1f4) : head.readUInt16LE(0x1f4);
  const size = setupSize + syssize * 16;
  if (syssize === 0 || size > MAX_BZIMAGE) return null;
  const header: BzImageHeader = { kind: 'bzImage', size, protocol, setupSize, payloadOffset: 0, payloadLength: 0 };
  if (protocol >= 0x0208) {
    header.payloadOffset = head.readUInt32LE(0x248);
    header.payloadLength = head.readUInt32LE(0x24c);
    if (header.payloadOffset + header.payloadLength > syssize * 16) return null;
  }
  return header;
}

/** Whether `src` starts with a zImage or bzImage (the uImage handler names its payload after this). */
export function kernelImageKind(src: ByteSource): KernelImageKind | undefined {
  const head = src.read(0, 0x250);
  return readZImage(head)?.kind ?? readBzImage(head)?.kind;
}

/** The kernel version string the boot header points at (x86 kernel_version field), read from the setup code. */
function bzKernelVersion(src: ByteSource, start: number, head: Buffer, setupSize: number): string | undefined {
  const ptr = head.readUInt16LE(0x20e);
  if (ptr === 0 || ptr + 0x200 >= setupSize) return undefined;
  const raw = src.read(start + ptr + 0x200, 256);
  const nul = raw.indexOf(0);
  const s = raw.toString('latin1', 0, nul < 0 ? raw.length : nul);
  return /^[0-9][\x20-\x7e]*$/.test(s) ? s : undefined;
}

/** A quick look at whether a stream of `kind` really starts at `at`: a bounded decode of its beginning. */
function probe(kind: Compression, src: ByteSource, at: number): boolean {
  return probeDecode(kind, src.read(at, PROBE_INPUT));
}

interface Candidate {
  at: number;
  kind: Compression;
}

/** Compressed streams inside `src`, in order (the decompressor stub comes first; its code may fake one). */
function* streams(src: ByteSource, from: number, signal: AbortSignal): Generator<Candidate> {
  for (let pos = from; pos < src.size; pos += WINDOW) {
    signal.throwIfAborted();
    const buf = src.read(pos, WINDOW + 16);
    const hits: number[] = [];
    for (const m of STREAM_MAGICS) for (let i = buf.indexOf(m); i >= 0 && i < WINDOW; i = buf.indexOf(m, i + 1)) hits.push(i);
    hits.sort((a, b) => a - b);
    for (const i of hits) {
      const kind = sniffCompression(src.read(pos + i, 32));
      if (kind && probe(kind, src, pos + i)) yield { at: pos + i, kind };
    }
  }
}

function firstStreams(src: ByteSource, from: number, signal: AbortSignal): Candidate[] {
  const out: Candidate[] = [];
  for (const c of streams(src, from, signal)) {
    out.push(c);
    if (out.length === MAX_ATTEMPTS) break;
  }
  return out;
}

/**
 * A copy of `src` with every 32-bit word byte-reversed: a little-endian zImage read out of a big-endian
 * (BE32) flash or memory dump has its magic in big-endian order and its compressed data scrambled so.
 */
function wordSwapped(src: ByteSource): ByteSource {
  const b = Buffer.from(src.read(0, src.size - (src.size % 4)));
  b.swap32();
  return new BufferSource(b);
}

async function openZImage(body: ByteSource, chunk: Chunk, ctx: OpenContext): Promise<OpenResult> {
  let where: ByteSource = body;
  let found = firstStreams(body, 0x30, ctx.signal);
  if (found.length === 0 && chunk.meta['endian'] === 'big' && body.size <= MAX_ZIMAGE) {
    where = wordSwapped(body);
    found = firstStreams(where, 0x30, ctx.signal);
    if (found.length > 0) chunk.meta['wordSwapped'] = true;
  }
  return openPayload(where, found, chunk, ctx, 'zImage');
}

async function openBzImage(body: ByteSource, chunk: Chunk, ctx: OpenContext): Promise<OpenResult> {
  const setupSize = Number(chunk.meta['setupSize']);
  const offset = Number(chunk.meta['payloadOffset']);
  const length = Number(chunk.meta['payloadLength']);
  if (length > 0) {
    const at = setupSize + offset;
    const kind = sniffCompression(body.read(at, 32));
    // payload_length bounds the stream exactly (the kernel appends its size after it).
    if (kind) return openPayload(body.subrange(0, at + length), [{ at, kind }], chunk, ctx, 'bzImage');
    ctx.problem(ErrorCodes.UNPACK_MALFORMED, `bzImage payload at ${at} is in no known compression; searching the image for one`);
  }
  return openPayload(body, firstStreams(body, setupSize, ctx.signal), chunk, ctx, 'bzImage');
}

/**
 * Decodes the first candidate that gives a whole stream (or a kernel-sized one, cut by a limit); a candidate
 * that turns out to be code bytes looking like a stream is dropped quietly, and the problems reported are
 * those of the stream taken.
 */
async function openPayload(where: ByteSource, candidates: Candidate[], chunk: Chunk, ctx: OpenContext, what: string): Promise<OpenResult> {
  if (chunk.meta['truncated'] === true) ctx.problem(ErrorCodes.UNPACK_TRUNCATED, `${what} declares ${String(chunk.meta['declaredSize'])} bytes; the image ends first`);
  let best: { c: Candidate; data: ByteSource; problems: Array<Parameters<OpenContext['problem']>> } | undefined;
  for (const c of candidates) {
    const problems: Array<Parameters<OpenContext['problem']>> = [];
    const quiet: OpenContext = { ...ctx, problem: (...p) => void problems.push(p) };
    const out = await decompress(c.kind, where.subrange(c.at, where.size), ctx.createSink(), quiet, `${what} kernel (${c.kind} at ${c.at})`);
    if (!best || out.data.size > best.data.size) best = { c, data: out.data, problems };
    if (out.complete || out.data.size >= KERNEL_SIZED) {
      best = { c, data: out.data, problems };
      break;
    }
  }
  if (!best || best.data.size === 0) {
    ctx.problem(ErrorCodes.UNPACK_UNSUPPORTED, `no compressed kernel found in the ${what}`);
    // The stub without its header: still carved for what else it holds, never mistaken for this image again.
    return { kind: 'payload', data: where.subrange(0x40, where.size), name: `${what}-body` };
  }
  for (const p of best.problems) ctx.problem(...p);
  chunk.meta['compression'] = best.c.kind;
  chunk.meta['payloadAt'] = best.c.at;
  const banner = findLinuxBanner(best.data, ctx.signal);
  if (banner) chunk.meta['linuxBanner'] = banner;
  return { kind: 'payload', data: best.data, name: 'vmlinux' };
}

export const linuxKernelHandler: Handler = {
  name: 'linux-kernel',
  kind: 'wrapper',
  magics: [
    magic([0x18, 0x28, 0x6f, 0x01], ZIMAGE_MAGIC_AT),
    magic([0x01, 0x6f, 0x28, 0x18], ZIMAGE_MAGIC_AT),
    magic('HdrS', BZIMAGE_MAGIC_AT),
  ],

  identify(src, start) {
    const head = src.read(start, 0x250);
    const z = readZImage(head);
    const bz = z ? null : readBzImage(head);
    const h = z ?? bz;
    if (!h) return null;
    const available = src.size - start;
    const truncated = h.size > available;
    const meta: Record<string, unknown> = { format: h.kind, declaredSize: h.size, truncated };
    if (z) meta['endian'] = z.littleEndian ? 'little' : 'big';
    if (bz) {
      Object.assign(meta, { bootProtocol: `${bz.protocol >> 8}.${(bz.protocol & 0xff).toString().padStart(2, '0')}`, setupSize: bz.setupSize, payloadOffset: bz.payloadOffset, payloadLength: bz.payloadLength });
      const version = bzKernelVersion(src, start, head, bz.setupSize);
      if (version) meta['kernelVersion'] = version;
    }
    return { start, end: truncated ? src.size : start + h.size, meta };
  },

  async open(src: ByteSource, chunk: Chunk, ctx: OpenContext): Promise<OpenResult> {
    const body = src.subrange(chunk.start, chunk.end);
    return chunk.meta['format'] === 'bzImage' ? openBzImage(body, chunk, ctx) : openZImage(body, chunk, ctx);
  },
};
