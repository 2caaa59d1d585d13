import type { IdentityRow } from '../identity-row.js';

// Distributions and build systems, found through release files (/etc/os-release, /etc/openwrt_release, Yocto's
// /etc/build). Names are os-release IDs. They carry no purl: purl has no type for a distribution release.
export const DISTRO_ROWS: readonly IdentityRow[] = [
  { name: 'openwrt', kind: 'operating-system', part: 'o', cpe: [['openwrt', 'openwrt']], purl: null },
  { name: 'debian', kind: 'operating-system', part: 'o', cpe: [['debian', 'debian_linux']], purl: null },
  { name: 'ubuntu', kind: 'operating-system', part: 'o', cpe: [['canonical', 'ubuntu_linux']], purl: null },
  { name: 'alpine', kind: 'operating-system', part: 'o', cpe: [['alpinelinux', 'alpine_linux']], purl: null },
  { name: 'buildroot', kind: 'operating-system', cpe: [['buildroot', 'buildroot']], purl: null },
  { name: 'poky', kind: 'operating-system', cpe: [], purl: null },
  { name: 'raspbian', kind: 'operating-system', cpe: [], purl: null },
];
