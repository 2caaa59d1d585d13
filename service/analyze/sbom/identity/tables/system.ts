import type { IdentityRow } from '../identity-row.js';

// The base system: kernel, boot loader, init, shells and core tools. OpenWrt's opkg package "kernel" has the
// version "5.15.137-1-<vermagic>"; Debian's kernel packages carry the ABI in the name.
export const SYSTEM_ROWS: readonly IdentityRow[] = [
  { name: 'busybox', kind: 'application', cpe: [['busybox', 'busybox']], packages: ['busybox', 'busybox-static', 'busybox-udeb', 'busybox-selinux'] },
  {
    name: 'linux',
    kind: 'operating-system',
    part: 'o',
    cpe: [['linux', 'linux_kernel']],
    packages: ['kernel', 'linux'],
    packagePatterns: [/^linux-image-\d/],
    purl: { type: 'generic', name: 'linux' },
  },
  {
    name: 'u-boot',
    kind: 'firmware',
    cpe: [['denx', 'u-boot']],
    packages: ['u-boot', 'u-boot-tools', 'uboot-envtools', 'u-boot-fw-utils', 'libubootenv-tool'],
  },
  {
    name: 'systemd',
    kind: 'application',
    cpe: [['systemd_project', 'systemd']],
    packages: ['systemd', 'libsystemd0', 'udev', 'libudev1', 'systemd-sysv'],
  },
  {
    name: 'util-linux',
    kind: 'application',
    cpe: [['kernel', 'util-linux']],
    packages: ['util-linux', 'libblkid1', 'libmount1', 'libuuid1', 'libsmartcols1', 'libfdisk1'],
  },
  { name: 'bash', kind: 'application', cpe: [['gnu', 'bash']], packages: ['bash'] },
  { name: 'sudo', kind: 'application', cpe: [['sudo_project', 'sudo']], packages: ['sudo'] },
  {
    name: 'e2fsprogs',
    kind: 'application',
    cpe: [['e2fsprogs_project', 'e2fsprogs']],
    packages: ['e2fsprogs', 'libext2fs2', 'libext2fs', 'resize2fs', 'tune2fs'],
  },
  { name: 'coreutils', kind: 'application', cpe: [['gnu', 'coreutils']], packages: ['coreutils'] },
  { name: 'dbus', kind: 'application', cpe: [['freedesktop', 'dbus']], packages: ['dbus', 'libdbus-1-3', 'libdbus'] },
  { name: 'lua', kind: 'application', cpe: [['lua', 'lua']], packages: ['lua'], packagePatterns: [/^liblua5\.\d/, /^lua5\.\d$/] },
];
