// General-purpose libraries (parsers, databases, HTTP, images, terminal). Several keep their version as a bare
// string; those rows accept it only beside a literal of the same library, never alone. Not claimed: jansson
// ("2.14"), libyaml ("0.2.5"), libuv ("1.44.2"), libmagic ("5.44") keep a bare version and nothing beside it
// that stays put; "SAMBA_4.17.12_DEBIAN_SAMBA4" symbol versions are Debian's own.
import { ANY_ELF, type ClassifierRow, type FileNameRow } from './types.js';

export const LIBRARY_ROWS: readonly ClassifierRow[] = [
  {
    // "3.40.1\0\0failed memory resize %u to %u bytes" (libsqlite3.so.0.8.6, libsqlite3-0 3.40.1 armhf):
    // sqlite3_version[] beside mem1.c's first message, also in applications that embed the amalgamation.
    id: 'sqlite',
    component: 'sqlite',
    fileGlobs: ANY_ELF,
    anchor: 'failed memory resize %u to %u bytes',
    pattern: /\x00(?<version>3\.\d+\.\d+(?:\.\d+)?)\x00+failed memory resize %u to %u bytes/,
  },
  {
    // "expat_2.5.0" (libexpat.so.1.8.10, libexpat1 2.5.0 armhf)
    id: 'expat',
    component: 'expat',
    fileGlobs: ANY_ELF,
    anchor: 'expat_',
    pattern: /\x00expat_(?<version>\d+\.\d+\.\d+)\x00/,
  },
  {
    // "8.39 2016-06-14" (libpcre.so.3.13.3, libpcre3 8.39 armhf): PCRE_VERSION with its release date.
    id: 'pcre',
    component: 'pcre',
    fileGlobs: ['**/libpcre.so*', '**/libpcreposix.so*', '**/libpcrecpp.so*'],
    anchor: ' 20',
    before: 8,
    after: 12,
    pattern: /(?<![\x20-\x7e])(?<version>[5-8]\.\d\d?) 20\d\d-\d\d-\d\d\x00/,
  },
  {
    // "10.42 2022-12-11" (libpcre2-8.so.0.11.2, libpcre2-8-0 10.42 armhf)
    id: 'pcre2',
    component: 'pcre2',
    fileGlobs: ['**/libpcre2-*.so*'],
    anchor: ' 20',
    before: 8,
    after: 12,
    pattern: /(?<![\x20-\x7e])(?<version>10\.\d\d) 20\d\d-\d\d-\d\d\x00/,
  },
  {
    // "20914\0\0\0xmlGetGlobalState: out of memory\n" (libxml2.so.2.9.14, libxml2 2.9.14 armhf): xmlParserVersion
    // is the release as one number (2.9.14 -> 20914).
    id: 'libxml2',
    component: 'libxml2',
    fileGlobs: ANY_ELF,
    anchor: 'xmlGetGlobalState: out of memory',
    pattern: /\x00(?<version>2\d{4})\x00+xmlGetGlobalState: out of memory/,
    normalize: (v) => `${v[0]}.${Number(v.slice(1, 3))}.${Number(v.slice(3))}`,
  },
  {
    // "0.16\0\0\0\0%lld\0\0\0\0%llu\0\0\0\0json-c aborts with error: %s" (libjson-c.so.5.2.0, libjson-c5 0.16
    // armhf; arm64 has "%ld" and "%lu"): JSON_C_VERSION beside json_util.c's formats.
    id: 'json-c',
    component: 'json-c',
    fileGlobs: ANY_ELF,
    anchor: 'json-c aborts with error',
    before: 48,
    pattern: /(?<![\x20-\x7e])(?<version>0\.\d+(?:\.\d+)?)\x00+%l{1,2}d\x00+%l{1,2}u\x00+json-c aborts with error/,
  },
  {
    // "curl 7.88.1 (arm-unknown-linux-gnueabihf) %s" (/usr/bin/curl, curl 7.88.1 armhf)
    id: 'curl',
    component: 'curl',
    fileGlobs: ANY_ELF,
    anchor: 'curl ',
    pattern: /\x00curl (?<version>\d+\.\d+\.\d+)(?:-DEV)? \([\w.-]+\) %s/,
  },
  {
    // "CLIENT libcurl 7.88.1\r\nMATCH %s %s %s" (libcurl.so.4.8.0, libcurl4 7.88.1 armhf): the ftp/imap ID string.
    id: 'libcurl',
    component: 'curl',
    fileGlobs: ANY_ELF,
    anchor: 'CLIENT libcurl ',
    pattern: /CLIENT libcurl (?<version>\d+\.\d+\.\d+)(?:-DEV)?[\x00\r]/,
  },
  {
    // "GNU Wget %s, a non-interactive network retriever" is a format; version.c stores the release right after
    // the compile and link command lines: "gcc -I/usr/include/p11-kit-1 ... -g -Wall\0\01.21.3\0"
    // (/usr/bin/wget, wget 1.21.3 armhf).
    id: 'wget',
    component: 'wget',
    fileGlobs: ['**/wget*'],
    anchor: '\0gcc ',
    before: 0,
    after: 2048,
    pattern: /\x00gcc [^\x00]+\x00+(?<version>1\.\d+(?:\.\d+)?)\x00/,
  },
  {
    // "1.52.0\0\0h2\0\0CONNECT\0HEAD" (libnghttp2.so.14.24.1, libnghttp2-14 1.52.0 armhf), "1.52.0\0\0h2\0\0\0\0"
    // (same, mipsel): NGHTTP2_VERSION beside NGHTTP2_PROTO_VERSION_ID, read in the library only (curl says "h2").
    id: 'nghttp2',
    component: 'nghttp2',
    fileGlobs: ['**/libnghttp2.so*', '**/nghttp*'],
    anchor: '\0h2\0',
    pattern: /(?<![\x20-\x7e])(?<version>1\.\d+\.\d+)\x00+h2\x00/,
  },
  {
    // "2.1.12-stable\0\0\0EV_READ " (libevent-2.1.so.7.0.1, libevent-2.1-7 2.1.12 armhf)
    id: 'libevent',
    component: 'libevent',
    fileGlobs: ANY_ELF,
    anchor: '-stable',
    pattern: /\x00(?<version>[12]\.\d+\.\d+)-stable\x00/,
  },
  {
    // "libjpeg-turbo version 2.1.5 (build 20230203)" (libjpeg.so.62.3.0, libjpeg62-turbo 2.1.5 armhf)
    id: 'libjpeg-turbo',
    component: 'libjpeg-turbo',
    fileGlobs: ANY_ELF,
    anchor: 'libjpeg-turbo version ',
    pattern: /libjpeg-turbo version (?<version>\d+\.\d+\.\d+) \(build \d{8}\)/,
  },
  {
    // " libpng version 1.6.39 - November 20, 2022" (libpng16.so.16.39.0, libpng16-16 1.6.39 armhf)
    id: 'libpng',
    component: 'libpng',
    fileGlobs: ANY_ELF,
    anchor: 'libpng version ',
    pattern: /libpng version (?<version>1\.\d+\.\d+)(?:beta\d+|rc\d+)? - [A-Z][a-z]+ \d{1,2}, \d{4}/,
  },
  {
    // "ncurses 6.4.20221231" (libtinfo.so.6.4, libtinfo6 6.4 armhf): curses_version()'s literal.
    id: 'ncurses',
    component: 'ncurses',
    fileGlobs: ANY_ELF,
    anchor: 'ncurses ',
    pattern: /\x00ncurses (?<version>\d+\.\d+)\.\d{8}\x00/,
  },
  {
    // "\x1b[200~\0\08.2\0_*\\AaIiCcDdPpYyRrSsXx~" (libreadline.so.8.2, libreadline8 8.2 armhf):
    // rl_library_version beside vi mode's motion table.
    id: 'readline',
    component: 'readline',
    fileGlobs: ['**/libreadline.so*', '**/libhistory.so*'],
    anchor: '_*\\AaIiCcDdPpYyRrSsXx~',
    pattern: /\x00(?<version>[4-9]\.\d)\x00+_\*\\AaIiCcDdPpYyRrSsXx~/,
  },
  {
    // "libcap-2.66" in "%s is the shared library version: libcap-2.66." (libcap.so.2.66, libcap2 2.66 armhf)
    id: 'libcap',
    component: 'libcap',
    fileGlobs: ANY_ELF,
    anchor: 'is the shared library version: libcap-',
    pattern: /is the shared library version: libcap-(?<version>2\.\d+)\./,
  },
  {
    // "<!-- GDBus 2.74.6 -->" (libgio-2.0.so.0.7400.6, libglib2.0-0 2.74.6 armhf)
    id: 'glib',
    component: 'glib',
    fileGlobs: ANY_ELF,
    anchor: '<!-- GDBus ',
    pattern: /<!-- GDBus (?<version>2\.\d+\.\d+) -->/,
  },
  {
    // "EXT2FS Library version 1.47.0" (libext2fs.so.2.4, libext2fs2 1.47.0 armhf)
    id: 'libext2fs',
    component: 'e2fsprogs',
    fileGlobs: ANY_ELF,
    anchor: 'EXT2FS Library version ',
    pattern: /EXT2FS Library version (?<version>1\.\d+\.\d+)/,
  },
  {
    // "e2fsprogs\0\0\01.47.0\0\0Error: ext2fs library version out of date!" (/sbin/e2fsck, e2fsprogs 1.47.0)
    id: 'e2fsprogs',
    component: 'e2fsprogs',
    fileGlobs: ANY_ELF,
    anchor: 'e2fsprogs\0',
    pattern: /\x00e2fsprogs\x00+(?<version>1\.\d+\.\d+)\x00/,
  },
];

export const LIBRARY_FILE_ROWS: readonly FileNameRow[] = [
  {
    // /usr/lib/arm-linux-gnueabihf/libpcap.so.1.10.3 (libpcap0.8 1.10.3 armhf)
    id: 'libpcap-file',
    component: 'libpcap',
    path: /\/libpcap\.so\.(?<version>1\.\d+\.\d+)$/,
  },
  {
    // /usr/lib/arm-linux-gnueabihf/libmbedcrypto.so.2.28.3 (libmbedcrypto7 2.28.3 armhf)
    id: 'mbedtls-file',
    component: 'mbedtls',
    path: /\/libmbed(?:crypto|tls|x509)\.so\.(?<version>[23]\.\d+\.\d+)$/,
  },
  {
    // /usr/lib/arm-linux-gnueabihf/libglib-2.0.so.0.7400.6 (libglib2.0-0 2.74.6 armhf): 0.<minor*100>.<micro>
    id: 'glib-file',
    component: 'glib',
    path: /\/libglib-2\.0\.so\.0\.(?<version>\d+00\.\d+)$/,
    normalize: (v) => {
      const [minor100, micro] = v.split('.');
      return `2.${Number(minor100) / 100}.${micro}`;
    },
  },
];
