// Decompression for the wrapper handlers (uImage, FIT, kernel images, TP-Link): a wrapper names or sniffs
// the compression of its payload and wants the output in the engine's capped sink, with damage reported as
// typed problems and whatever was decoded kept. gzip goes through node:zlib (native, streaming); the other
// formats through the decoders of codecs/. One place maps a name to a decoder, so a codec that lands later is
// wired in here once for every wrapper.
import * as zlib from 'node:zlib';
import { ErrorCodes, errorCode, errorMessage, type ErrorCode } from '../../errors.js';
import type { ByteSource } from '../byte-source.js';
import type { DecodeOptions, DecodeResult } from '../codecs/codec.js';
import { decodeBzip2 } from '../codecs/bzip2.js';
import { decodeLz4 } from '../codecs/lz4.js';
import { decodeLzmaAlone, parseLzmaAloneHeader } from '../codecs/lzma.js';
import { decodeLzop } from '../codecs/lzo.js';
import { decodeXz, XZ_MAGIC } from '../codecs/xz.js';
import { decodeZstd } from '../codecs/zstd.js';
import type { Chunk, OpenContext, PayloadSink } from '../handler.js';
import { gzipHandler } from '../handlers/gzip.js';
import { RATIO_FLOOR_BYTES } from '../limits.js';

export type Compression = 'none' | 'gzip' | 'bzip2' | 'lzma' | 'lzo' | 'lz4' | 'zstd' | 'xz';

type Decoder = (input: Uint8Array, opts: DecodeOptions) => DecodeResult;

/** Decoders of codecs/ by compression name; a name missing here is reported as unsupported. */
const DECODERS: Partial<Record<Compression, Decoder>> = {
  bzip2: decodeBzip2,
  lzma: decodeLzmaAlone,
  lzo: decodeLzop,
  lz4: decodeLz4,
  zstd: decodeZstd,
  xz: decodeXz,
};

const PIECE = 1 << 20;

/** What a decompression gave: `complete` is false when it was cut (damage, truncation, limit, no decoder). */
export interface Decoded {
  data: ByteSource;
  complete: boolean;
}

/**
 * Output budget shared by every payload one open() decompresses (a FIT with many images, a multi-file
 * uImage): each sink is capped by the engine, but n sinks could hold n caps, so this caps their sum at what
 * the container may still produce.
 */
export class OutputBudget {
  private left: number;
  private reported = false;

  constructor(
    private readonly ctx: OpenContext,
    inputSize: number,
  ) {
    const { limits } = ctx;
    this.left = Math.min(limits.maxTotalBytes, limits.maxPayloadInMemory, Math.max(RATIO_FLOOR_BYTES, limits.maxRatio * inputSize));
  }

  get remaining(): number {
    return this.left;
  }

  /** A sink that also stops when the budget is spent (one limit problem per container). */
  sink(expectedSize?: number): PayloadSink {
    const inner = this.ctx.createSink(expectedSize);
    return {
      write: (data: Buffer): boolean => {
        if (data.length > this.left) {
          const part = data.subarray(0, this.left);
          this.left = 0;
          if (part.length > 0) inner.write(part);
          if (!this.reported) {
            this.reported = true;
            this.ctx.problem(ErrorCodes.UNPACK_LIMIT, 'decompressed payloads of this container reach its output budget; cut there');
          }
          return false;
        }
        this.left -= data.length;
        return inner.write(data);
      },
      get size() {
        return inner.size;
      },
      finish: () => inner.finish(),
    };
  }
}

/**
 * The compression a payload starts with, by its magic: what Linux uses for compressed kernels (gzip, bzip2,
 * lzma, xz, lzo, lz4 legacy, zstd). lzma has no magic: its 13-byte header must parse with a known size or
 * the "unknown size" marker, and a dictionary of a power of two (or 2^n + 2^(n-1)) as lzma(1) writes it.
 */
export function sniffCompression(head: Buffer): Compression | undefined {
  if (head.length >= 10 && head[0] === 0x1f && head[1] === 0x8b && head[2] === 8 && ((head[3] as number) & 0xe0) === 0) return 'gzip';
  if (head.length >= 6 && head.subarray(0, 6).equals(XZ_MAGIC)) return 'xz';
  if (head.length >= 10 && head.toString('latin1', 0, 3) === 'BZh' && (head[3] as number) >= 0x31 && (head[3] as number) <= 0x39) {
    if (head.readUInt32BE(4) === 0x31415926) return 'bzip2';
  }
  if (head.length >= 9 && head.readUInt32BE(0) === 0x894c5a4f && head.readUInt32BE(4) === 0x000d0a1a) return 'lzo';
  if (head.length >= 4 && head.readUInt32LE(0) === 0x184c2102) return 'lz4';
  if (head.length >= 4 && head.readUInt32LE(0) === 0x184d2204) return 'lz4';
  if (head.length >= 4 && head.readUInt32LE(0) === 0xfd2fb528) return 'zstd';
  if (head.length >= 13 && looksLikeLzmaAlone(head)) return 'lzma';
  return undefined;
}

function looksLikeLzmaAlone(head: Buffer): boolean {
  const h = parseLzmaAloneHeader(head);
  if (!h || h.props.lc + h.props.lp > 4) return false;
  const d = h.props.dictSize;
  if (d < 4096 || d > 1 << 30) return false;
  const pow2 = (d & (d - 1)) === 0;
  const threeQuarter = d % 3 === 0 && ((d / 3) & (d / 3 - 1)) === 0;
  return (pow2 || threeQuarter) && (h.uncompressedSize === undefined || h.uncompressedSize > 0);
}

/**
 * Whether a stream of `kind` really starts in `head` (a bounded decode of its first bytes, no output kept):
 * used when a wrapper has to find its payload by magic among code bytes.
 */
export function probeDecode(kind: Compression, head: Buffer): boolean {
  try {
    if (kind === 'gzip') {
      zlib.inflateRawSync(head.subarray(gzipHeaderSize(head)), { finishFlush: zlib.constants.Z_SYNC_FLUSH, maxOutputLength: 1 << 16 });
      return true;
    }
    const decoder = DECODERS[kind];
    if (!decoder) return kind !== 'none';
    // A cut input that decoded without an error counts: bzip2 gives nothing before its whole block (up to
    // 900 kB) is in, zstd nothing before a whole block of up to 128 KiB.
    const r = decoder(head, { maxOutput: 4096 });
    return r.data.length > 0 || r.truncated;
  } catch (err) {
    // Output past maxOutputLength means the stream decoded that far.
    return errorCode(err) === 'ERR_BUFFER_TOO_LARGE';
  }
}

function gzipHeaderSize(h: Buffer): number {
  const flags = h[3] as number;
  let at = 10;
  if (flags & 0x04) at += 2 + (h.length >= 12 ? h.readUInt16LE(10) : 0);
  for (const bit of [0x08, 0x10]) if (flags & bit) at = h.indexOf(0, at) + 1 || h.length;
  if (flags & 0x02) at += 2;
  return Math.min(at, h.length);
}

/** Whether a decoder for this compression is available. */
export function canDecode(kind: Compression): boolean {
  return kind === 'none' || kind === 'gzip' || DECODERS[kind] !== undefined;
}

/**
 * Decompresses `input` into `sink`. Never throws for bad data: damage, truncation and a missing decoder are
 * problems (prefixed with `what`), and the output decoded before the damage is kept.
 */
export async function decompress(kind: Compression, input: ByteSource, sink: PayloadSink, ctx: OpenContext, what: string): Promise<Decoded> {
  if (kind === 'none') {
    for (let pos = 0; pos < input.size; pos += PIECE) if (!sink.write(Buffer.from(input.read(pos, PIECE)))) break;
    return { data: sink.finish(), complete: sink.size === input.size };
  }
  if (kind === 'gzip') return gunzip(input, sink, ctx, what);
  const decoder = DECODERS[kind];
  if (!decoder) {
    ctx.problem(ErrorCodes.UNPACK_UNSUPPORTED, `${what}: ${kind} decompression is not available`);
    return { data: sink.finish(), complete: false };
  }
  let stopped = false;
  try {
    const r = decoder(input.read(0, input.size), {
      maxOutput: Number.MAX_SAFE_INTEGER,
      signal: ctx.signal,
      onOutput: (piece) => {
        if (sink.write(piece)) return true;
        stopped = true;
        return false;
      },
    });
    if (r.truncated) ctx.problem(ErrorCodes.UNPACK_TRUNCATED, `${what}: ${kind} stream cut short after ${sink.size} bytes of output`);
    return { data: sink.finish(), complete: !r.truncated && !r.limited && !stopped };
  } catch (err) {
    ctx.signal.throwIfAborted();
    const code = errorCode(err);
    const known = code.startsWith('FW_ERR_UNPACK_') ? (code as ErrorCode) : ErrorCodes.UNPACK_MALFORMED;
    ctx.problem(known, `${what}: ${kind} data damaged after ${sink.size} bytes of output: ${errorMessage(err)}`);
    return { data: sink.finish(), complete: false };
  }
}

/**
 * gzip through node:zlib. The gzip handler's identify() walks the deflate stream without inflating it: it
 * gives the stream's exact end (trailing bytes are not fed) and whether it was cut short, in which case the
 * stream is flushed instead of failed, so what was there is kept.
 */
async function gunzip(input: ByteSource, sink: PayloadSink, ctx: OpenContext, what: string): Promise<Decoded> {
  let chunk: Chunk | null = null;
  try {
    chunk = gzipHandler.identify(input, 0);
  } catch {
    chunk = null;
  }
  const truncated = chunk === null || chunk.meta['truncated'] === true;
  const body = chunk ? input.subrange(0, chunk.end) : input;
  const z = zlib.createGunzip({ chunkSize: 256 * 1024, ...(truncated ? { finishFlush: zlib.constants.Z_SYNC_FLUSH } : {}) });
  let full = false;
  let damaged = false;
  const feed = async (): Promise<void> => {
    for (let pos = 0; pos < body.size && !z.destroyed; pos += PIECE) {
      // A destroyed stream never drains: wait on 'close' too, so this loop always ends.
      if (!z.write(body.read(pos, PIECE))) {
        await new Promise((r) => {
          z.once('drain', r);
          z.once('close', r);
        });
      }
    }
    z.end();
  };
  feed().catch((err: unknown) => z.destroy(err as Error));
  try {
    for await (const out of z) {
      if (ctx.signal.aborted) break;
      if (!sink.write(out as Buffer)) {
        full = true;
        break;
      }
    }
  } catch (err) {
    damaged = true;
    ctx.problem(ErrorCodes.UNPACK_MALFORMED, `${what}: gzip data damaged after ${sink.size} bytes of output: ${errorMessage(err)}`);
  } finally {
    z.destroy();
  }
  ctx.signal.throwIfAborted();
  if (!damaged && !full) {
    if (chunk === null) ctx.problem(ErrorCodes.UNPACK_MALFORMED, `${what}: not a valid gzip stream; ${sink.size} bytes decoded`);
    else if (truncated) ctx.problem(ErrorCodes.UNPACK_TRUNCATED, `${what}: gzip stream cut short after ${sink.size} bytes of output`);
  }
  return { data: sink.finish(), complete: !full && !damaged && !truncated };
}

/**
 * A wrapper's payload as it should be analysed: decompressed when the header says so and a decoder exists;
 * the stored bytes otherwise (no decoder, or nothing decodable: a header may name the wrong compression),
 * so the carver still looks at them.
 */
export async function decodeOrRaw(kind: Compression, raw: ByteSource, sink: PayloadSink, ctx: OpenContext, what: string): Promise<{ data: ByteSource; decoded: boolean }> {
  if (kind === 'none') return { data: raw, decoded: false };
  if (!canDecode(kind)) {
    ctx.problem(ErrorCodes.UNPACK_UNSUPPORTED, `${what}: ${kind} decompression is not available; the stored bytes are kept`);
    return { data: raw, decoded: false };
  }
  const out = await decompress(kind, raw, sink, ctx, what);
  if (out.data.size === 0 && raw.size > 0) return { data: raw, decoded: false };
  return { data: out.data, decoded: true };
}
