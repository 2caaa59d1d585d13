import { emptyReport } from '../../service/report/empty-report.js';
import type { Report } from '../../service/report/report-types.js';

const chain = [
  { format: 'uimage', offset: 0, size: 7_340_096 },
  { format: 'squashfs', offset: 1_048_640, size: 6_291_456 },
];

/** A report as the sbom analyzer writes it: several kinds of components, merged evidence, odd characters. */
export function sbomReport(): Report {
  const r = emptyReport({ sha256: 'a'.repeat(64), size: 7_340_096, fileName: 'TEW-733GR fw 1.02.bin' }, new Date('2025-01-02T03:04:05.678Z'));
  r.extraction.rootFileSystems.push({ id: 'squashfs@1048640', format: 'squashfs', chain, fileCount: 1811, totalBytes: 9_000_000 });
  r.analysis.analyzers.push({ name: 'sbom', version: '1.0.0', status: 'ok', durationMs: 12 });
  const ev = (path: string, match: string, source: string, extra: Record<string, unknown> = {}) => ({
    path,
    match,
    source,
    filesystem: 'squashfs@1048640',
    chain,
    ...extra,
  });
  r.components.push(
    {
      name: 'busybox',
      version: '1.36.1-1',
      purl: 'pkg:opkg/openwrt/busybox@1.36.1-1?arch=mips_24kc&distro=openwrt-23.05.0',
      cpe: 'cpe:2.3:a:busybox:busybox:1.36.1:*:*:*:*:*:*:*',
      kind: 'application',
      foundBy: 'package-db',
      foundByAll: ['package-db', 'binary-string'],
      evidence: [
        ev('/usr/lib/opkg/status', 'Package: busybox | Version: 1.36.1-1 | Status: install user installed', 'opkg-status', { offset: 0, sha256: 'b'.repeat(64) }),
        ev('/bin/busybox', 'BusyBox v1.36.1 (2023-11-14 22:41:18 UTC)', 'classifier:busybox', { offset: 591_432, sha256: 'c'.repeat(64) }),
      ],
    },
    {
      name: 'busybox',
      version: '1.14.1',
      purl: 'pkg:generic/busybox@1.14.1',
      cpe: 'cpe:2.3:a:busybox:busybox:1.14.1:*:*:*:*:*:*:*',
      kind: 'application',
      foundBy: 'binary-string',
      foundByAll: ['binary-string'],
      evidence: [ev('/rescue/busybox', 'BusyBox v1.14.1 (2013-09-17 11:46:58 CST)', 'classifier:busybox')],
    },
    {
      name: 'curl',
      version: '8.5.0',
      purl: 'pkg:generic/curl@8.5.0',
      cpe: 'cpe:2.3:a:haxx:curl:8.5.0:*:*:*:*:*:*:*',
      cpes: ['cpe:2.3:a:haxx:curl:8.5.0:*:*:*:*:*:*:*', 'cpe:2.3:a:haxx:libcurl:8.5.0:*:*:*:*:*:*:*'],
      kind: 'application',
      foundBy: 'binary-string',
      evidence: [ev('/usr/lib/libcurl.so.4.8.0', 'libcurl/8.5.0', 'classifier:curl')],
    },
    {
      name: 'zlib',
      version: '1:1.2.13.dfsg-1',
      purl: 'pkg:deb/debian/zlib1g@1:1.2.13.dfsg-1?arch=amd64&distro=debian-12&upstream=zlib',
      cpe: 'cpe:2.3:a:zlib:zlib:1.2.13:*:*:*:*:*:*:*',
      kind: 'library',
      foundBy: 'package-db',
      evidence: [ev('/var/lib/dpkg/status', 'Package: zlib1g | Version: 1:1.2.13.dfsg-1', 'dpkg-status', { offset: 2048 })],
    },
    {
      name: 'linux',
      version: '2.6.36',
      purl: 'pkg:generic/linux@2.6.36',
      cpe: 'cpe:2.3:o:linux:linux_kernel:2.6.36:*:*:*:*:*:*:*',
      kind: 'operating-system',
      foundBy: 'kernel',
      evidence: [{ path: '/boot/uImage', match: 'Linux version 2.6.36 (zhang@ubuntu)', chain: [] }],
    },
    {
      name: 'openwrt',
      version: '23.05.0',
      cpe: 'cpe:2.3:o:openwrt:openwrt:23.05.0:*:*:*:*:*:*:*',
      kind: 'operating-system',
      foundBy: 'release-file',
      evidence: [ev('/etc/os-release', 'ID="openwrt" | VERSION_ID="23.05.0"', 'os-release')],
    },
    // A component with nothing but a name and version (older reports, other producers).
    { name: 'vendor agent+', version: 'r1 (beta)', evidence: [] },
  );
  return r;
}
