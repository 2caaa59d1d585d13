import type { IdentityRow } from '../identity-row.js';

// General-purpose libraries. Debian names carry the soname (zlib1g, libexpat1, libsqlite3-0); Alpine's are
// split by subpackage (sqlite-libs, xz-libs); OpenWrt's mostly follow upstream.
export const LIBRARY_ROWS: readonly IdentityRow[] = [
  { name: 'zlib', kind: 'library', cpe: [['zlib', 'zlib']], packages: ['zlib', 'zlib1g', 'libz', 'libzlib'] },
  { name: 'libxml2', kind: 'library', cpe: [['xmlsoft', 'libxml2']], packages: ['libxml2', 'libxml2-utils'] },
  { name: 'expat', kind: 'library', cpe: [['libexpat_project', 'libexpat']], packages: ['expat', 'libexpat', 'libexpat1'] },
  { name: 'sqlite', kind: 'library', cpe: [['sqlite', 'sqlite']], packages: ['sqlite', 'sqlite3', 'libsqlite3-0', 'libsqlite3', 'sqlite-libs', 'sqlite3-cli'] },
  { name: 'libpng', kind: 'library', cpe: [['libpng', 'libpng']], packages: ['libpng', 'libpng16-16', 'libpng16-16t64'] },
  { name: 'libjpeg-turbo', kind: 'library', cpe: [['libjpeg-turbo', 'libjpeg-turbo']], packages: ['libjpeg-turbo', 'libjpeg62-turbo'] },
  {
    name: 'json-c',
    kind: 'library',
    cpe: [['json-c_project', 'json-c']],
    packages: ['json-c', 'libjson-c'],
    packagePatterns: [/^libjson-c\d+$/],
  },
  { name: 'pcre', kind: 'library', cpe: [['pcre', 'pcre']], packages: ['pcre', 'libpcre', 'libpcre3', 'libpcre1'] },
  { name: 'pcre2', kind: 'library', cpe: [['pcre', 'pcre2']], packages: ['pcre2', 'libpcre2', 'libpcre2-8-0', 'libpcre2-8'] },
  {
    name: 'ncurses',
    kind: 'library',
    cpe: [['gnu', 'ncurses']],
    packages: ['ncurses', 'ncurses-libs', 'ncurses-base', 'ncurses-bin', 'libncurses', 'libncursesw', 'libncurses6', 'libncursesw6', 'libtinfo6', 'terminfo'],
  },
  { name: 'bzip2', kind: 'library', cpe: [['bzip', 'bzip2']], packages: ['bzip2', 'libbz2', 'libbz2-1.0', 'libbz2-1'] },
  { name: 'xz', kind: 'library', cpe: [['tukaani', 'xz']], packages: ['xz', 'xz-utils', 'xz-libs', 'liblzma', 'liblzma5'] },
  { name: 'readline', kind: 'library', cpe: [['gnu', 'readline']], packages: ['readline', 'libreadline', 'libreadline8', 'libreadline8t64'] },
  { name: 'lzo', kind: 'library', cpe: [['oberhumer', 'lzo']], packages: ['lzo', 'liblzo2', 'liblzo2-2'] },
  { name: 'glib', kind: 'library', cpe: [['gnome', 'glib']], packages: ['glib2', 'libglib2.0-0', 'libglib2.0-0t64'] },
];
