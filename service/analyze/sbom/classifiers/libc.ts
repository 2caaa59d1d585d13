// C libraries. glibc names its version in libc.so.6 and ld.so; uClibc and uClibc-ng only in their file
// names ("libuClibc-0.9.33.2.so"); musl in the loader's --version text.
import { besideString, type ClassifierRow, type FileNameRow } from './types.js';

export const LIBC_ROWS: readonly ClassifierRow[] = [
  {
    // "GNU C Library (Debian GLIBC 2.36-9+deb12u14) stable release version 2.36." (libc.so.6, libc6 2.36
    // armhf); "ld.so (Debian GLIBC 2.36-9+deb12u14) stable release version 2.36." (ld-linux-armhf.so.3);
    // older builds: "GNU C Library stable release version 2.11.1, by Roland McGrath et al."
    id: 'glibc',
    component: 'glibc',
    fileGlobs: ['**/libc.so*', '**/libc-*.so', '**/ld-*.so*', '**/ld.so*', '**/ldconfig*'],
    anchor: 'release version ',
    before: 120,
    pattern: /(?:GNU C Library|ld\.so|ldconfig)[^\x00]{0,80}? (?:stable |development )?release version (?<version>\d+\.\d+(?:\.\d+)?)[.,]/,
  },
  {
    // "musl libc (armhf)\nVersion %s\nDynamic Program Loader" with "1.2.3" stored just before it
    // (/lib/arm-linux-musleabihf/libc.so, musl 1.2.3 armhf); musl's libc.so is also its loader.
    id: 'musl',
    component: 'musl',
    fileGlobs: ['**/libc.so', '**/ld-musl-*', '**/libc.musl-*', '**/musl/**'],
    anchor: 'Dynamic linker failed to allocate memory',
    pattern: besideString('Dynamic linker failed to allocate memory', '1\\.\\d+\\.\\d+'),
  },
];

export const LIBC_FILE_ROWS: readonly FileNameRow[] = [
  {
    // /lib/libuClibc-0.9.33.2.so and /lib/ld-uClibc-0.9.33.2.so (TP-Link MT7628 rootfs), libuClibc-0.9.30.1.so
    // (TRENDnet TEW-733GR). uClibc releases end at 0.9.33.x; uClibc-ng starts at 1.0.0.
    id: 'uclibc-file',
    component: 'uclibc',
    path: /\/(?:ld-uClibc|libuClibc)-(?<version>0\.9\.\d+(?:\.\d+)?)\.so$/,
  },
  {
    // /lib/libuClibc-1.0.31.so, /lib/ld-uClibc-1.0.31.so (uClibc-ng keeps uClibc's file names)
    id: 'uclibc-ng-file',
    component: 'uclibc-ng',
    path: /\/(?:ld-uClibc|libuClibc)-(?<version>1\.\d+\.\d+)\.so$/,
  },
  {
    // /lib/libc-2.31.so, /lib/ld-2.31.so: glibc before 2.34 named its objects after the release.
    id: 'glibc-file',
    component: 'glibc',
    path: /\/lib(?:32|64)?(?:\/[\w.-]+)?\/(?:libc|ld)-(?<version>2\.\d+)\.so$/,
  },
];
