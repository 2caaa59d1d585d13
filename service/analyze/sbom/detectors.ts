// Every detector the SBOM analyzer runs, listed explicitly (no directory scanning, DESIGN.md "Units of
// extension"). Order matters only for ties: the first sighting of a component names its displayed version.
import { apkInstalled } from './catalogers/apk-installed.js';
import { buildroot } from './catalogers/buildroot.js';
import { dpkgStatus } from './catalogers/dpkg-status.js';
import { openwrtRelease } from './catalogers/openwrt-release.js';
import { opkgStatus } from './catalogers/opkg-status.js';
import { osRelease } from './catalogers/os-release.js';
import { yoctoBuildinfo } from './catalogers/yocto-buildinfo.js';
import { scanBinaries } from './binary-scan.js';
import type { BinaryScan, Cataloger } from './detection.js';

/** File catalogers: each selects the files it wants during the analyzer's single walk of a filesystem. */
export const CATALOGERS: readonly Cataloger[] = [
  dpkgStatus,
  opkgStatus,
  apkInstalled,
  osRelease,
  openwrtRelease,
  yoctoBuildinfo,
  buildroot,
];

/**
 * Whole-filesystem detectors, given every node of the walk. The binary classifiers (binary-scan.ts,
 * `export const scanBinaries: BinaryScan`) belong here once that file exists.
 */
export const BINARY_SCANS: readonly BinaryScan[] = [scanBinaries];
