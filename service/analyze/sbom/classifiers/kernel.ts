// The Linux kernel: its banner in a kernel image (a vmlinux that the unpacker decompressed, or a raw Image),
// the vermagic of its modules, and the /lib/modules/<release>/ tree.
import { kernelRelease, type ClassifierRow, type FileNameRow } from './types.js';

/** Names that kernel and bootloader images go by in firmware trees and in the unpacker's wrapper parts. */
export const RAW_IMAGE_GLOBS = [
  '**/*vmlinu*', '**/*Image*', '**/*image*', '**/*kernel*', '**/*Kernel*', '**/boot/**', '**/*.bin', '**/*.img',
  '**/*.itb', '**/*.ub', '**/*u-boot*', '**/*uboot*', '**/mtd*', '**/part-*', '**/linux*',
] as const;

export const KERNEL_ROWS: readonly ClassifierRow[] = [
  {
    // "Linux version 2.6.36 (zhang@ubuntu) (gcc version 4.6.3 (Buildroot 2012.11.1) ) #1 Sun Nov 19 18:31:57 PST
    // 2023" (TP-Link kernel.bin, LZMA payload); "Linux version 2.6.31--LSDK-9.2.0.312 (...)" (TP-Link test.tpl)
    id: 'linux-banner',
    component: 'linux',
    fileGlobs: RAW_IMAGE_GLOBS,
    rawImages: true,
    foundBy: 'kernel',
    anchor: 'Linux version ',
    pattern: /Linux version (?<version>\d+\.\d+(?:\.\d+)?[\w.+~-]*) \([^()\x00\n]*@[^()\x00\n]*\) \(/,
    normalize: kernelRelease,
  },
  {
    // "vermagic=2.6.36 mod_unload MIPS32_R2 32BIT " (TP-Link MT7628 /lib/modules/afc.ko)
    id: 'linux-vermagic',
    component: 'linux',
    fileGlobs: ['**/*.ko'],
    foundBy: 'kernel',
    anchor: 'vermagic=',
    maxPerVersion: 2,
    pattern: /vermagic=(?<version>\d+\.\d+(?:\.\d+)?[\w.+~-]*) (?:SMP |preempt |mod_unload|modversions|[\w-]+ )/,
    normalize: kernelRelease,
  },
];

export const KERNEL_FILE_ROWS: readonly FileNameRow[] = [
  {
    // /lib/modules/2.6.36/kernel/net/... ; /lib/modules/6.1.0-28-arm64/modules.dep
    id: 'linux-modules-dir',
    component: 'linux',
    path: /^(?:\/usr)?\/lib\/modules\/(?<version>\d+\.\d+(?:\.\d+)?[\w.+~-]*)\//,
    normalize: kernelRelease,
    foundBy: 'kernel',
    maxPerVersion: 1,
  },
];
