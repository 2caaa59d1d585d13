// Every codec as the hostile-input tests see it: a small sample made by the real tool, its decoder, and the
// walker its handler's identify() relies on.
import type { DecodeOptions, DecodeResult, RandomAccess, StreamExtent } from '../../../service/unpack/codecs/codec.js';
import { decodeBzip2, measureBzip2 } from '../../../service/unpack/codecs/bzip2.js';
import { decodeLz4, measureLz4 } from '../../../service/unpack/codecs/lz4.js';
import { decodeLzmaAlone, decodeLzmaVendorBlock, measureLzmaAlone } from '../../../service/unpack/codecs/lzma.js';
import { decodeLzma2Raw, walkLzma2 } from '../../../service/unpack/codecs/lzma2.js';
import { decodeLzo1x, decodeLzop, measureLzop } from '../../../service/unpack/codecs/lzo.js';
import { decodeXz, measureXz } from '../../../service/unpack/codecs/xz.js';
import { decodeZstd, measureZstd } from '../../../service/unpack/codecs/zstd.js';
import { compress, elf, text } from './samples.js';

export interface CodecCase {
  name: string;
  /** Compressed bytes of a small mixed sample. */
  sample(): Buffer;
  decode(input: Buffer, opts: DecodeOptions): DecodeResult;
  measure(src: RandomAccess, start: number): StreamExtent | null;
}

/** ~60 KB of text and code: big enough for every structure, small enough for thousands of runs. */
export function plain(): Buffer {
  return Buffer.concat([text(30_000), elf().subarray(4096, 34_096)]);
}

function lzopBody(c: Buffer): Buffer {
  // lzop from stdin, default flags: 38-byte header, then dst, src, adler32 and the first block's data.
  const src = c.readUInt32BE(42);
  return c.subarray(50, 50 + src);
}

export const CODECS: CodecCase[] = [
  { name: 'xz', sample: () => compress('xz', ['-c', '-6', '--check=crc64'], plain()), decode: decodeXz, measure: measureXz },
  { name: 'xz-bcj', sample: () => compress('xz', ['-c', '--x86', '--delta=dist=2', '--lzma2=preset=1', '--check=sha256'], plain()), decode: decodeXz, measure: measureXz },
  { name: 'lzma2', sample: () => compress('xz', ['--format=raw', '--lzma2=preset=6', '-c'], plain()), decode: (i, o) => decodeLzma2Raw(i, 1 << 23, o), measure: walkLzma2 },
  { name: 'lzma', sample: () => compress('xz', ['--format=lzma', '-c'], plain()), decode: decodeLzmaAlone, measure: (s, at) => measureLzmaAlone(s, at, 4 << 20) },
  {
    name: 'lzma-vendor',
    sample: () => Buffer.concat([Buffer.from([0x6d, 0, 0, 0x80, 0]), compress('xz', ['--format=raw', '--lzma1=preset=6,lc=1,lp=2,pb=2', '-c'], plain())]),
    decode: decodeLzmaVendorBlock,
    measure: () => null,
  },
  { name: 'bzip2', sample: () => compress('bzip2', ['-c', '-9'], plain()), decode: decodeBzip2, measure: measureBzip2 },
  // --stream-size makes the frame single-segment (content size known): fzstd then allocates 60 KB, not 8 MiB.
  { name: 'zstd', sample: () => compress('zstd', ['-q', '-c', '-19', `--stream-size=${plain().length}`], plain()), decode: decodeZstd, measure: measureZstd },
  { name: 'lzop', sample: () => compress('lzop', ['-c', '--crc32'], plain()), decode: decodeLzop, measure: measureLzop },
  { name: 'lzo1x', sample: () => lzopBody(compress('lzop', ['-c', '-9'], plain())), decode: decodeLzo1x, measure: () => null },
  { name: 'lz4', sample: () => compress('lz4', ['-c', '-9', '-BD', '-BX'], plain()), decode: decodeLz4, measure: measureLz4 },
  { name: 'lz4-legacy', sample: () => compress('lz4', ['-c', '-l'], plain()), decode: decodeLz4, measure: measureLz4 },
];
