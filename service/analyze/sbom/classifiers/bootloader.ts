// Bootloaders: U-Boot prints its version banner from a literal, in raw images and in ELF builds alike.
import { RAW_IMAGE_GLOBS } from './kernel.js';
import type { ClassifierRow } from './types.js';

export const BOOTLOADER_ROWS: readonly ClassifierRow[] = [
  {
    // "U-Boot 1.1.3 (Nov 19 2023 - 18:30:02)" (TP-Link uboot.bin); "U-Boot 1.1.4 (Sep 21 2015 - 17:19:11)"
    // (TP-Link test.tpl); "U-Boot 2023.01+dfsg-2+deb12u3 (Jun 22 2026 - 08:38:07 +0000) Allwinner Technology"
    // (u-boot-sunxi-with-spl.bin, u-boot-sunxi 2023.01 armhf)
    id: 'u-boot',
    component: 'u-boot',
    fileGlobs: [...RAW_IMAGE_GLOBS, '**/u-boot*', '**/*.elf'],
    rawImages: true,
    anchor: 'U-Boot ',
    pattern: /U-Boot (?<version>20\d\d\.\d\d(?:\.\d+)?|1\.\d\.\d+)(?:-rc\d+)?(?:[-+][\w.~+-]*)? \([A-Z][a-z]{2} [ \d]\d \d{4} - \d\d:\d\d:\d\d/,
  },
];
