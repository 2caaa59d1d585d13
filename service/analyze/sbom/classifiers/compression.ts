// Compression libraries and tools. zlib and bzip2 keep a banner; xz, zstd and lz4 keep only a bare version,
// so their libraries are read by file name (the real file is named after the release).
import { ANY_ELF, type ClassifierRow, type FileNameRow } from './types.js';

export const COMPRESSION_ROWS: readonly ClassifierRow[] = [
  {
    // " deflate 1.2.13 Copyright 1995-2022 Jean-loup Gailly and Mark Adler " and " inflate 1.2.13 Copyright
    // 1995-2022 Mark Adler " (libz.so.1.2.13, zlib1g 1.2.13 armhf); statically linked into many binaries.
    id: 'zlib',
    component: 'zlib',
    fileGlobs: ANY_ELF,
    anchor: 'flate ',
    pattern: / (?:de|in)flate (?<version>1\.\d+\.\d+(?:\.\d+)?(?:\.[1-9])?(?:-motley)?) Copyright \d{4}/,
    normalize: (v) => v.replace(/-motley$/, ''),
  },
  {
    // "1.0.8, 13-Jul-2019\0\0\n\nbzip2/libbzip2: internal error number %d." (libbz2.so.1.0.4, libbz2-1.0
    // 1.0.8 armhf): BZ2_bzlibVersion()'s literal beside bzlib.c's own error text.
    id: 'bzip2',
    component: 'bzip2',
    fileGlobs: ANY_ELF,
    anchor: 'bzip2/libbzip2: internal error',
    pattern: /\x00(?<version>[01]\.\d\.\d+), \d{1,2}-[A-Z][a-z]{2}-\d{4}\x00+\n\nbzip2\/libbzip2: internal error/,
  },
  {
    // "xz (XZ Utils) 5.4.1", "lzmainfo (XZ Utils) 5.4.1" (/usr/bin/xz, xz-utils 5.4.1 armhf)
    id: 'xz',
    component: 'xz',
    fileGlobs: ANY_ELF,
    anchor: ' (XZ Utils) ',
    pattern: /\x00[\w-]+ \(XZ Utils\) (?<version>\d+\.\d+\.\d+)/,
  },
  {
    // "*** %s (%i-bit) %s, by %s ***\n\0\0Yann Collet\0v1.5.4" (/usr/bin/zstd, zstd 1.5.4 armhf)
    id: 'zstd-cli',
    component: 'zstd',
    fileGlobs: ANY_ELF,
    anchor: 'Yann Collet',
    pattern: /\*\*\* %s \(%i-bit\) %s, by %s \*\*\*\n\x00+Yann Collet\x00+v(?<version>1\.\d+\.\d+)\x00/,
    before: 48,
  },
  {
    // "libarchive 3.6.2", "software: libarchive/3.6.2" (libarchive.so.13, libarchive13 3.6.2 armhf)
    id: 'libarchive',
    component: 'libarchive',
    fileGlobs: ANY_ELF,
    anchor: 'libarchive ',
    pattern: /\x00libarchive (?<version>\d+\.\d+\.\d+)\x00/,
  },
  {
    // "rmt (GNU tar) 1.34" (/usr/sbin/rmt-tar, tar 1.34 armhf); tar itself prints "tar (GNU tar) %s".
    id: 'gnu-tar',
    component: 'tar',
    fileGlobs: ANY_ELF,
    anchor: ' (GNU tar) ',
    pattern: /\x00\w+ \(GNU tar\) (?<version>\d+\.\d+(?:\.\d+)?)\x00/,
  },
];

export const COMPRESSION_FILE_ROWS: readonly FileNameRow[] = [
  {
    // /lib/arm-linux-gnueabihf/liblzma.so.5.4.1 (liblzma5 5.4.1 armhf)
    id: 'liblzma-file',
    component: 'xz',
    path: /\/liblzma\.so\.(?<version>5\.\d+\.\d+)$/,
  },
  {
    // /usr/lib/arm-linux-gnueabihf/libzstd.so.1.5.4 (libzstd1 1.5.4 armhf)
    id: 'libzstd-file',
    component: 'zstd',
    path: /\/libzstd\.so\.(?<version>1\.\d+\.\d+)$/,
  },
  {
    // /usr/lib/arm-linux-gnueabihf/liblz4.so.1.9.4 (liblz4-1 1.9.4 armhf)
    id: 'liblz4-file',
    component: 'lz4',
    path: /\/liblz4\.so\.(?<version>1\.\d+\.\d+)$/,
  },
];
