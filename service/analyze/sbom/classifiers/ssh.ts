// SSH servers, clients and libraries: the protocol banner is compiled in, so it survives stripping and
// static linking (ZyXEL P-663H-51 links dropbear into its /bin/cfm).
import { ANY_ELF, type ClassifierRow } from './types.js';

export const SSH_ROWS: readonly ClassifierRow[] = [
  {
    // "SSH-2.0-dropbear_2022.83" (dropbear, dropbear-bin 2022.83 armhf); "SSH-2.0-dropbear_2012.55"
    // (TP-Link rootfs dropbearmulti); "SSH-2.0-dropbear_0.46" (ZyXEL P-663H-51 /bin/cfm)
    id: 'dropbear',
    component: 'dropbear',
    fileGlobs: ANY_ELF,
    anchor: 'SSH-2.0-dropbear_',
    pattern: /SSH-2\.0-dropbear_(?<version>\d{4}\.\d+(?:\.\d+)?|0\.\d+)(?:[\x00\r\n ])/,
  },
  {
    // "OpenSSH_9.2p1 Debian-2+deb12u10" and "OpenSSH_9.2p1" (sshd, ssh; openssh 9.2p1 armhf)
    id: 'openssh',
    component: 'openssh',
    fileGlobs: ANY_ELF,
    anchor: 'OpenSSH_',
    pattern: /\x00OpenSSH_(?<version>\d+\.\d+(?:\.\d+)?p\d+)[\x00 ,]/,
  },
  {
    // "SSH-2.0-libssh_0.10.6" (libssh.so.4, libssh-4 0.10.6 armhf); 0.5/0.6 used "SSH-2.0-libssh-0.6.3".
    id: 'libssh',
    component: 'libssh',
    fileGlobs: ANY_ELF,
    anchor: 'SSH-2.0-libssh',
    pattern: /SSH-2\.0-libssh[_-](?<version>\d+\.\d+\.\d+)\x00/,
  },
  {
    // "SSH-2.0-libssh2_1.10.0" (libssh2.so.1, libssh2-1 1.10.0 armhf)
    id: 'libssh2',
    component: 'libssh2',
    fileGlobs: ANY_ELF,
    anchor: 'SSH-2.0-libssh',
    pattern: /SSH-2\.0-libssh2_(?<version>\d+\.\d+\.\d+)[\x00\r]/,
  },
];
