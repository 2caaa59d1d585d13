import type { IdentityRow } from '../identity-row.js';

// C libraries. OpenWrt's opkg package "libc" is musl since 17.01 and uClibc before, so it is not mapped here:
// its version says which, and a wrong guess would match the wrong CVEs.
export const LIBC_ROWS: readonly IdentityRow[] = [
  { name: 'glibc', kind: 'library', cpe: [['gnu', 'glibc']], packages: ['libc6', 'libc-bin', 'libc6-udeb', 'glibc', 'libc6-i386'] },
  { name: 'uclibc', kind: 'library', cpe: [['uclibc', 'uclibc']], packages: ['uclibc', 'libuclibc'] },
  { name: 'uclibc-ng', kind: 'library', cpe: [['uclibc-ng_project', 'uclibc-ng']], packages: ['uclibc-ng'] },
  { name: 'musl', kind: 'library', cpe: [['musl-libc', 'musl']], packages: ['musl', 'musl-utils'] },
];
