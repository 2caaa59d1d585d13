// Decompression of one UBIFS data node: at most one 4 KiB block, whose exact size the node states. UBIFS's
// "zlib" is raw deflate (the kernel's crypto API deflate, no zlib header); LZO is LZO1X; zstd is a frame.
import * as zlib from 'node:zlib';
import { ErrorCodes, FirmwardenError } from '../../errors.js';
import type { DecodeOptions, DecodeResult } from '../codecs/codec.js';
import { decodeLzo1x, lzo1xDecompress } from '../codecs/lzo.js';
import { decodeZstd } from '../codecs/zstd.js';

export const COMPR_NONE = 0;
export const COMPR_LZO = 1;
export const COMPR_ZLIB = 2;
export const COMPR_ZSTD = 3;
export const COMPRESSION_NAMES: Record<number, string> = { 0: 'none', 1: 'lzo', 2: 'zlib', 3: 'zstd' };

type Decoder = (input: Buffer, opts: DecodeOptions) => DecodeResult;

function inflateRaw(input: Buffer, opts: DecodeOptions): DecodeResult {
  const data = zlib.inflateRawSync(input, { maxOutputLength: Math.max(1, opts.maxOutput) });
  return { data, consumed: input.length, truncated: false, limited: false };
}

const DECODERS: Readonly<Partial<Record<number, Decoder>>> = {
  [COMPR_LZO]: decodeLzo1x,
  [COMPR_ZLIB]: inflateRaw,
  [COMPR_ZSTD]: decodeZstd,
};

/** The block's bytes, exactly `size` of them; throws a FirmwardenError when they cannot be had. */
export function decompressBlock(type: number, input: Buffer, size: number): Buffer {
  if (type === COMPR_NONE) {
    if (input.length < size) throw new FirmwardenError(ErrorCodes.UNPACK_MALFORMED, `uncompressed data node holds ${input.length} of ${size} bytes`);
    return input.subarray(0, size);
  }
  const decode = DECODERS[type];
  if (!decode) {
    throw new FirmwardenError(ErrorCodes.UNPACK_UNSUPPORTED, `${COMPRESSION_NAMES[type] ?? `compression type ${type}`} data nodes are not supported`);
  }
  let r: DecodeResult;
  try {
    r = decode(input, { maxOutput: size, expectedSize: size });
  } catch (err) {
    if (err instanceof FirmwardenError) throw err;
    throw new FirmwardenError(ErrorCodes.UNPACK_MALFORMED, `${COMPRESSION_NAMES[type]} data node does not decompress: ${(err as Error).message}`, {}, { cause: err });
  }
  if (r.data.length !== size) {
    throw new FirmwardenError(ErrorCodes.UNPACK_MALFORMED, `${COMPRESSION_NAMES[type]} data node decodes to ${r.data.length} bytes, ${size} expected`);
  }
  return r.data;
}

/**
 * Decodes a block straight into `target` (exactly `size` bytes) when the codec can write in place (LZO,
 * stored), saving a copy on the hot path of reading files; otherwise decodes and copies.
 */
export function decompressBlockInto(type: number, input: Buffer, target: Buffer): void {
  const size = target.length;
  if (type === COMPR_LZO) {
    const r = lzo1xDecompress(input, target);
    if (r.status !== 'end' || r.outPos !== size) {
      throw new FirmwardenError(ErrorCodes.UNPACK_MALFORMED, `lzo data node decodes to ${r.outPos} bytes (${r.status}), ${size} expected`);
    }
    return;
  }
  decompressBlock(type, input, size).copy(target);
}
