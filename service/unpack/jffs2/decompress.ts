// The compressors of a JFFS2 data node (the `compr` byte). Each node holds at most a page or so, decoded to
// exactly `dsize` bytes. zlib comes from node:zlib; lzo and lzma from the shared codecs; rtime is ours.
// Two LZMA flavours exist outside mainline: OpenWrt's kernel patch (id 8, raw LZMA with fixed lc0/lp0/pb0
// and an 8 KiB dictionary) and an mtd-utils patch (id 0x15, a 5-byte props+dictionary header first).
import * as zlib from 'node:zlib';
import { ErrorCodes, FirmwardenError } from '../../errors.js';
import { decodeLzmaRaw, decodeLzmaVendorBlock } from '../codecs/lzma.js';
import { lzo1xDecompress } from '../codecs/lzo.js';
import { decodeRtime } from './rtime.js';

export const COMPR_NONE = 0x00;
export const COMPR_ZERO = 0x01;
export const COMPR_RTIME = 0x02;
export const COMPR_RUBINMIPS = 0x03;
export const COMPR_COPY = 0x04;
export const COMPR_DYNRUBIN = 0x05;
export const COMPR_ZLIB = 0x06;
export const COMPR_LZO = 0x07;
export const COMPR_LZMA_OPENWRT = 0x08;
export const COMPR_LZMA_MTD = 0x15;

const NAMES: Record<number, string> = {
  [COMPR_NONE]: 'none',
  [COMPR_ZERO]: 'zero',
  [COMPR_RTIME]: 'rtime',
  [COMPR_RUBINMIPS]: 'rubinmips',
  [COMPR_COPY]: 'copy',
  [COMPR_DYNRUBIN]: 'dynrubin',
  [COMPR_ZLIB]: 'zlib',
  [COMPR_LZO]: 'lzo',
  [COMPR_LZMA_OPENWRT]: 'lzma',
  [COMPR_LZMA_MTD]: 'lzma',
};

export function comprName(c: number): string {
  return NAMES[c] ?? `unknown (${c})`;
}

/** True when we can decode this compressor (rubin variants are not: no tool of ours makes them). */
export function comprSupported(c: number): boolean {
  return c in NAMES && c !== COMPR_RUBINMIPS && c !== COMPR_DYNRUBIN;
}

function malformed(what: string): FirmwardenError {
  return new FirmwardenError(ErrorCodes.UNPACK_MALFORMED, what);
}

function isZlibHeader(b: Uint8Array): boolean {
  return b.length >= 2 && ((b[0] as number) & 0x0f) === 8 && (((b[0] as number) << 8) | (b[1] as number)) % 31 === 0;
}

/** Decodes one node's data to exactly dsize bytes, or throws FW_ERR_UNPACK_MALFORMED / _UNSUPPORTED. */
export function decompressNode(compr: number, data: Buffer, dsize: number): Buffer {
  switch (compr) {
    case COMPR_NONE:
    case COMPR_COPY:
      if (data.length < dsize) throw malformed(`stored node holds ${data.length} of ${dsize} bytes`);
      return data.subarray(0, dsize);
    case COMPR_ZERO:
      return Buffer.alloc(dsize);
    case COMPR_RTIME:
      return decodeRtime(data, dsize);
    case COMPR_ZLIB: {
      let out: Buffer;
      try {
        // The kernel accepts a bare deflate stream too (old mkfs.jffs2 wrote some).
        out = isZlibHeader(data) ? zlib.inflateSync(data, { maxOutputLength: dsize }) : zlib.inflateRawSync(data, { maxOutputLength: dsize });
      } catch (err) {
        throw malformed(`zlib: ${(err as Error).message}`);
      }
      if (out.length !== dsize) throw malformed(`zlib node inflates to ${out.length} of ${dsize} bytes`);
      return out;
    }
    case COMPR_LZO: {
      const out = Buffer.alloc(dsize);
      let run;
      try {
        run = lzo1xDecompress(data, out);
      } catch (err) {
        throw malformed(`lzo: ${(err as Error).message}`);
      }
      if (run.status !== 'end' || run.outPos !== dsize) throw malformed(`lzo node decodes to ${run.outPos} of ${dsize} bytes (${run.status})`);
      return out;
    }
    case COMPR_LZMA_OPENWRT:
    case COMPR_LZMA_MTD: {
      const opts = { maxOutput: dsize, expectedSize: dsize };
      const r = compr === COMPR_LZMA_MTD ? decodeLzmaVendorBlock(data, opts) : decodeLzmaRaw(data, { lc: 0, lp: 0, pb: 0, dictSize: 0x2000 }, opts);
      if (r.data.length !== dsize) throw malformed(`lzma node decodes to ${r.data.length} of ${dsize} bytes`);
      return r.data;
    }
    default:
      throw new FirmwardenError(ErrorCodes.UNPACK_UNSUPPORTED, `compression ${comprName(compr)} is not supported`);
  }
}
