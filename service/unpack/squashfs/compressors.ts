// One squashfs block in, its bytes out. The compressor comes from the superblock, but vendors lied about it:
// 2.x/3.x images say nothing (zlib was the only choice) and still hold LZMA data blocks, and "lzma" images
// come in three shapes (the squashfs-tools 13-byte .lzma header with the size; a 5-byte props+dictionary
// header with no size, as in Broadcom/TRENDnet/ZyXEL SDKs; bare LZMA with the default props). Each block is
// tried in the shape that worked last, then the others; what was used is counted for the tree's meta.
import * as zlib from 'node:zlib';
import { ErrorCodes, FirmwardenError } from '../../errors.js';
import type { DecodeOptions, DecodeResult } from '../codecs/codec.js';
import { decodeLzmaAlone, decodeLzmaRaw, decodeLzmaVendorBlock, decodePropsByte, parseLzmaAloneHeader } from '../codecs/lzma.js';
import { lz4DecodeBlock } from '../codecs/lz4.js';
import { decodeLzo1x } from '../codecs/lzo.js';
import { decodeXz } from '../codecs/xz.js';
import { decodeZstd } from '../codecs/zstd.js';
import { Compression, COMPRESSION_NAMES } from './superblock.js';

export type BlockVariant = 'zlib' | 'lzma' | 'lzma-vendor' | 'lzma-raw' | 'xz' | 'lzo' | 'lz4' | 'zstd';
type LzmaVariant = 'lzma' | 'lzma-vendor' | 'lzma-raw';

/** The props most LZMA squashfs patches hard-coded when they stored no header at all (lc=3 lp=0 pb=2). */
const DEFAULT_RAW_PROPS = { lc: 3, lp: 0, pb: 2 };

type Decoder = (input: Buffer, opts: DecodeOptions) => DecodeResult;

/** Codecs other than zlib and LZMA, by squashfs compression id, as codecs/ provides them. */
const CODECS: Partial<Record<number, Decoder>> = {
  [Compression.xz]: decodeXz,
  [Compression.lzo]: decodeLzo1x,
  [Compression.lz4]: decodeLz4Block,
  [Compression.zstd]: decodeZstd,
};

/** squashfs stores bare LZ4 blocks (no frame): one block, decoded into a buffer of the size it may reach. */
function decodeLz4Block(input: Buffer, opts: DecodeOptions): DecodeResult {
  const out = Buffer.allocUnsafe(opts.expectedSize ?? opts.maxOutput);
  const r = lz4DecodeBlock(input, 0, input.length, out, 0, out.length, 0);
  if (r.status === 'input-overrun') return { data: out.subarray(0, r.outPos), consumed: input.length, truncated: true, limited: false };
  if (r.status === 'output-overrun') return { data: out.subarray(0, r.outPos), consumed: input.length, truncated: false, limited: true };
  return { data: out.subarray(0, r.outPos), consumed: input.length, truncated: false, limited: false };
}

export class SquashfsDecodeError extends FirmwardenError {}

function fail(message: string, code: typeof ErrorCodes.UNPACK_MALFORMED | typeof ErrorCodes.UNPACK_UNSUPPORTED = ErrorCodes.UNPACK_MALFORMED): never {
  throw new SquashfsDecodeError(code, message);
}

export function looksLikeZlib(b: Buffer): boolean {
  return b.length >= 2 && ((b[0] as number) & 0x0f) === 8 && ((b[0] as number) >> 4) <= 7 && (((b[0] as number) << 8) | (b[1] as number)) % 31 === 0;
}

/** Checks a codec result against what the block must hold. */
function accept(r: DecodeResult, max: number, exact: number | undefined, what: string): Buffer {
  if (r.truncated) fail(`${what} block data ends early`);
  if (r.limited) fail(`${what} block decodes to more than ${max} bytes`);
  if (exact !== undefined && r.data.length !== exact) fail(`${what} block decodes to ${r.data.length} bytes, ${exact} expected`);
  return r.data;
}

export class BlockDecoder {
  /** How many blocks each variant decoded (the tree's meta shows it). */
  readonly used: Partial<Record<BlockVariant, number>> = {};
  /** The layout of the block decoded last. */
  lastVariant: BlockVariant | undefined;
  private lzmaOrder: LzmaVariant[] = ['lzma', 'lzma-vendor', 'lzma-raw'];

  constructor(
    readonly compression: number,
    /** 2.x/3.x: the superblock names no compressor; zlib unless the block is not zlib. */
    private readonly legacy: boolean,
    private readonly dictSize: number,
  ) {}

  get name(): string {
    return this.legacy ? 'gzip' : (COMPRESSION_NAMES[this.compression] ?? `unknown (${this.compression})`);
  }

  /**
   * Decodes a compressed block: exactly `exact` bytes when given (data blocks), at most `max` otherwise
   * (metadata). Throws SquashfsDecodeError (a FirmwardenError) on anything else.
   */
  decode(input: Buffer, max: number, exact?: number): Buffer {
    if (this.legacy || this.compression === Compression.zlib) {
      if (!this.legacy || looksLikeZlib(input)) return this.count('zlib', this.inflate(input, max, exact));
      return this.lzma(input, max, exact);
    }
    if (this.compression === Compression.lzma) return this.lzma(input, max, exact);
    const codec = CODECS[this.compression];
    if (!codec) fail(`${this.name} blocks are not supported yet`, ErrorCodes.UNPACK_UNSUPPORTED);
    const opts: DecodeOptions = { maxOutput: max, ...(exact !== undefined ? { expectedSize: exact } : {}) };
    let r: DecodeResult;
    try {
      r = codec(input, opts);
    } catch (err) {
      if (err instanceof FirmwardenError) fail(err.message, err.code === ErrorCodes.UNPACK_UNSUPPORTED ? err.code : ErrorCodes.UNPACK_MALFORMED);
      throw err;
    }
    return this.count(this.name as BlockVariant, accept(r, max, exact, this.name));
  }

  /**
   * At least the first `n` bytes of a block that decodes to `exact` bytes, decoding no further than needed
   * where that saves real time (LZMA and xz: a peek at a file's magic costs a few hundred bytes of decoding, not
   * the whole block). The block is not verified to its end; callers must not keep the result as the block.
   */
  decodePrefix(input: Buffer, n: number, exact: number): Buffer {
    // Branch filters (BCJ) hold back a few bytes; asking for a little more keeps the answer long enough.
    const want = Math.min(exact, n + 64);
    let r: DecodeResult | undefined;
    try {
      if (this.compression === Compression.xz && !this.legacy) r = decodeXz(input, { maxOutput: want, expectedSize: exact });
      else if (this.legacy || this.compression === Compression.lzma) {
        // Only a layout already proven on a whole block: a prefix alone cannot tell the layouts apart.
        const v = this.lzmaOrder[0] as LzmaVariant;
        if (!(this.legacy && looksLikeZlib(input)) && (this.used[v] ?? 0) > 0 && plausible(v, input, exact, exact)) r = this.lzmaRun(v, input, { maxOutput: want, expectedSize: exact });
      }
    } catch {
      r = undefined;
    }
    if (r && !r.truncated && r.data.length >= Math.min(n, exact)) return r.data;
    return this.decode(input, exact, exact);
  }

  private count(v: BlockVariant, out: Buffer): Buffer {
    this.record(v);
    return out;
  }

  /** Counts a block decoded elsewhere (a worker, node:zlib's thread pool). */
  record(v: BlockVariant | undefined): void {
    if (v === undefined) return;
    this.used[v] = (this.used[v] ?? 0) + 1;
    this.lastVariant = v;
  }

  /** zlib for this block (the compressor says so, or an old image's block starts like a zlib stream). */
  isZlib(input: Buffer): boolean {
    return this.compression === Compression.zlib && (!this.legacy || looksLikeZlib(input));
  }

  /** LZMA, xz and zstd: slow enough in JavaScript that another thread pays for the hand-off. */
  get worthOffloading(): boolean {
    return this.legacy || this.compression === Compression.lzma || this.compression === Compression.xz || this.compression === Compression.zstd;
  }

  get dictionarySize(): number {
    return this.dictSize;
  }

  get isLegacy(): boolean {
    return this.legacy;
  }

  private inflate(input: Buffer, max: number, exact: number | undefined): Buffer {
    let out: Buffer;
    try {
      out = zlib.inflateSync(input, { maxOutputLength: max });
    } catch (err) {
      fail(`zlib block: ${(err as Error).message}`);
    }
    if (exact !== undefined && out.length !== exact) fail(`zlib block decodes to ${out.length} bytes, ${exact} expected`);
    return out;
  }

  private lzma(input: Buffer, max: number, exact: number | undefined): Buffer {
    let firstError: unknown;
    for (const v of this.lzmaOrder) {
      if (!plausible(v, input, max, exact)) continue;
      try {
        const out = this.lzmaAs(v, input, max, exact);
        if (v !== this.lzmaOrder[0]) this.lzmaOrder = [v, ...this.lzmaOrder.filter((x) => x !== v)];
        return this.count(v, out);
      } catch (err) {
        firstError ??= err;
      }
    }
    if (firstError instanceof FirmwardenError) fail(`lzma block: ${firstError.message}`);
    fail('block is neither zlib nor any known LZMA layout');
  }

  private lzmaAs(v: LzmaVariant, input: Buffer, max: number, exact: number | undefined): Buffer {
    const opts: DecodeOptions = { maxOutput: max, ...(exact !== undefined ? { expectedSize: exact } : {}) };
    return accept(this.lzmaRun(v, input, opts), max, exact, 'lzma');
  }

  private lzmaRun(v: LzmaVariant, input: Buffer, opts: DecodeOptions): DecodeResult {
    if (v === 'lzma') return decodeLzmaAlone(input, opts);
    if (v === 'lzma-vendor') return decodeLzmaVendorBlock(input, opts);
    return decodeLzmaRaw(input, { ...DEFAULT_RAW_PROPS, dictSize: this.dictSize }, opts);
  }
}

/** Cheap checks that skip a layout the block cannot be in (a range coder always starts with a zero byte). */
function plausible(v: LzmaVariant, b: Buffer, max: number, exact: number | undefined): boolean {
  if (v === 'lzma') {
    if (b.length < 14 || b[13] !== 0) return false;
    const h = parseLzmaAloneHeader(b);
    if (!h) return false;
    const size = h.uncompressedSize;
    return size === undefined || (size <= max && (exact === undefined || size === exact));
  }
  if (v === 'lzma-vendor') return b.length >= 6 && b[5] === 0 && decodePropsByte(b[0] as number) !== null;
  return b.length >= 5 && b[0] === 0;
}
