// Base system: BusyBox and the utilities it replaces on larger devices, init, privilege tools, debuggers.
import { ANY_ELF, besideString, type ClassifierRow } from './types.js';

export const SYSTEM_TOOL_ROWS: readonly ClassifierRow[] = [
  {
    // "BusyBox v1.19.2 (2023-11-19 18:34:13 PST)" (TP-Link MT7628 /bin/busybox); "BusyBox v1.14.1 (2013-09-17
    // 14:35:41 CST)" (TRENDnet); "BusyBox v1.00 (2009.02.12-09:06+0000)" (ZyXEL); "BusyBox v1.35.0 (Debian
    // 1:1.35.0-4+deb12u1+b1)" (busybox 1.35.0 armhf). A script that runs "busybox" is not ELF and never read.
    id: 'busybox',
    component: 'busybox',
    fileGlobs: ANY_ELF,
    anchor: 'BusyBox v',
    pattern: /BusyBox v(?<version>\d+\.\d+(?:\.\d+)?)(?:\.git|-[\w.]+)? \(/,
  },
  {
    // "util-linux 2.38.1" (/usr/bin/setarch and the rest of util-linux 2.38.1 armhf)
    id: 'util-linux',
    component: 'util-linux',
    fileGlobs: ANY_ELF,
    anchor: 'util-linux ',
    pattern: /\x00util-linux (?<version>2\.\d+(?:\.\d+)?)\x00/,
  },
  {
    // "procps-ng 4.0.2" (/bin/ps, procps 4.0.2 armhf)
    id: 'procps',
    component: 'procps',
    fileGlobs: ANY_ELF,
    anchor: 'procps-ng ',
    pattern: /\x00procps-ng (?<version>\d+\.\d+\.\d+)\x00/,
  },
  {
    // "kmod version 30" (/bin/kmod, kmod 30 armhf)
    id: 'kmod',
    component: 'kmod',
    fileGlobs: ANY_ELF,
    anchor: 'kmod version ',
    pattern: /\x00kmod version (?<version>\d+(?:\.\d+)?)\x00/,
  },
  {
    // "systemd 252 (252.39-1~deb12u2)\n%s\n" (/bin/systemctl, systemd 252.39 armhf)
    id: 'systemd',
    component: 'systemd',
    fileGlobs: ANY_ELF,
    anchor: 'systemd ',
    pattern: /\x00systemd (?<major>\d{3}) \((?<full>\d{3}(?:\.\d+)?)[^)\x00]*\)\n/,
    fromGroups: (g) => (g.full?.startsWith(`${g.major}`) ? g.full : g.major),
  },
  {
    // "Sudo version %s\n\0\0\0\01.9.13p3" (/usr/bin/sudo, sudo 1.9.13p3 armhf)
    id: 'sudo',
    component: 'sudo',
    fileGlobs: ANY_ELF,
    anchor: 'Sudo version %s\n',
    pattern: besideString('Sudo version %s\n', '1\\.\\d+\\.\\d+(?:p\\d+)?'),
  },
  {
    // "6.1\0%s -- version %s\nCopyright (c) 1991-%s ..." (/usr/bin/strace, strace 6.1 armhf)
    id: 'strace',
    component: 'strace',
    fileGlobs: ANY_ELF,
    anchor: '%s -- version %s\n',
    pattern: besideString('%s -- version %s\n', '\\d+\\.\\d+(?:\\.\\d+)?'),
  },
  {
    // "/build/gdb-XgwUeX/gdb-13.1/gdbserver/ax.cc" (/usr/bin/gdbserver, gdbserver 13.1 armhf): assertion paths.
    id: 'gdbserver',
    component: 'gdb',
    fileGlobs: ['**/gdbserver*', '**/gdb'],
    anchor: '/gdbserver/',
    before: 24,
    pattern: /\/gdb-(?<version>\d+\.\d+(?:\.\d+)?)\/gdbserver\//,
  },
  {
    // "... - see www.dest-unreach.org\01.7.4.4\006 Nov 2022 08:15:51" (/usr/bin/socat, socat 1.7.4.4 armhf)
    id: 'socat',
    component: 'socat',
    fileGlobs: ANY_ELF,
    anchor: 'www.dest-unreach.org\0',
    pattern: /www\.dest-unreach\.org\x00+(?<version>1\.\d+\.\d+(?:\.\d+)?)\x00/,
  },
  {
    // "ethtool version 6.1\n" (/sbin/ethtool, ethtool 6.1 armhf)
    id: 'ethtool',
    component: 'ethtool',
    fileGlobs: ANY_ELF,
    anchor: 'ethtool version ',
    pattern: /\x00ethtool version (?<version>\d+\.\d+(?:\.\d+)?)\n/,
  },
  {
    // "ubinfo version 2.1.5 - a tool to print UBI information." (/usr/sbin/ubinfo, mtd-utils 2.1.5 armhf)
    id: 'mtd-utils',
    component: 'mtd-utils',
    fileGlobs: ANY_ELF,
    anchor: ' - a tool to ',
    before: 40,
    pattern: /\x00ubi\w+ version (?<version>\d+\.\d+(?:\.\d+)?) - a tool to /,
  },
  {
    // "2023.01\0U-Boot mkimage %s" (/usr/bin/mkimage, u-boot-tools 2023.01 armhf)
    id: 'u-boot-tools',
    component: 'u-boot-tools',
    fileGlobs: ANY_ELF,
    anchor: 'U-Boot mkimage %s',
    pattern: besideString('U-Boot mkimage %s', '20\\d\\d\\.\\d\\d(?:\\.\\d+)?'),
  },
  {
    // "%s from %s %s\n\0\020221126" (/bin/ping, iputils-ping 20221126 armhf)
    id: 'iputils',
    component: 'iputils',
    fileGlobs: ANY_ELF,
    anchor: '%s from %s %s\n',
    pattern: besideString('%s from %s %s\n', '20\\d{6}'),
  },
  {
    // "%s: %s: file size changed while zipping\n\0\0\0\01.12" (/bin/gzip, gzip 1.12 armhf)
    id: 'gzip',
    component: 'gzip',
    fileGlobs: ANY_ELF,
    anchor: 'file size changed while zipping\n',
    pattern: besideString('file size changed while zipping\n', '1\\.\\d+(?:\\.\\d+)?'),
  },
  {
    // "3.2.7\0\0\0%d.%d\0\0\0copyright\0\0\0url" (/usr/bin/rsync, rsync 3.2.7 armhf): the --version JSON keys.
    id: 'rsync',
    component: 'rsync',
    fileGlobs: ANY_ELF,
    anchor: '\0copyright\0',
    before: 40,
    pattern: /\x00(?<version>3\.\d+\.\d+)\x00+%d\.%d\x00+copyright\x00/,
  },
];
