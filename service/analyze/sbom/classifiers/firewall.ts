// Packet filtering and traffic tools.
import { ANY_ELF, besideString, type ClassifierRow } from './types.js';

export const FIREWALL_ROWS: readonly ClassifierRow[] = [
  {
    // "</iptables-rules>\0\0\0verbose\0combine\0help\0\0\0\01.8.9" (xtables-legacy-multi, iptables 1.8.9 armhf) and
    // "%s: line %u failed\n\01.4.17\0\0verbose\0combine\0help" (TP-Link MT7628 /usr/bin/xtables-multi): the
    // iptables-restore option table beside IPTABLES_VERSION, on either side of it.
    id: 'iptables',
    component: 'iptables',
    fileGlobs: ANY_ELF,
    anchor: 'verbose\0combine\0help\0',
    pattern: besideString('verbose\0combine\0help\0', '1\\.\\d+\\.\\d+(?:\\.\\d+)?'),
  },
  {
    // "1.8.9 (legacy)", "1.8.9 (nf_tables)" (xtables-*-multi, iptables 1.8.9 armhf)
    id: 'iptables-variant',
    component: 'iptables',
    fileGlobs: ANY_ELF,
    anchor: ' (nf_tables)',
    pattern: /\x00(?<version>1\.\d+\.\d+) \(nf_tables\)\x00/,
  },
  {
    // "1.0.6\0\0\0nftables\0\0\0\0%s v%s (%s)\n" (/usr/sbin/nft, nftables 1.0.6 armhf)
    id: 'nftables',
    component: 'nftables',
    fileGlobs: ANY_ELF,
    anchor: '\0nftables\0',
    before: 24,
    pattern: /\x00(?<version>\d+\.\d+\.\d+(?:\.\d+)?)\x00+nftables\x00+%s v%s \(%s\)\n/,
  },
  {
    // "unknown\01.4.7\0\0\0Command line interface for the connection tracking system"
    // (/usr/sbin/conntrack, conntrack 1.4.7 armhf)
    id: 'conntrack-tools',
    component: 'conntrack-tools',
    fileGlobs: ANY_ELF,
    anchor: 'Command line interface for the connection tracking system',
    pattern: besideString('Command line interface for the connection tracking system', '1\\.\\d+\\.\\d+'),
  },
  {
    // "ipset\0\0\07.17" (libipset.so.13, libipset13 7.17 armhf)
    id: 'ipset',
    component: 'ipset',
    fileGlobs: ['**/libipset.so*', '**/ipset'],
    anchor: '\0ipset\0',
    pattern: /\x00ipset\x00+(?<version>[4-9]\.\d+)\x00/,
  },
];
