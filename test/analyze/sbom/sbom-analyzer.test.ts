import { describe, expect, it } from 'vitest';
import type { AnalysisContext } from '../../../service/analyze/analyzer.js';
import { analyzeImage } from '../../../service/analyze/pipeline.js';
import { sbomAnalyzer } from '../../../service/analyze/sbom/sbom-analyzer.js';
import { toCycloneDx } from '../../../service/report/cyclonedx.js';
import type { ReportError } from '../../../service/report/report-types.js';
import { cycloneDxSchemaErrors, spdxSchemaErrors } from '../../../service/report/sbom-schemas.js';
import { toSpdx } from '../../../service/report/spdx.js';
import { DEFAULT_UNPACK_LIMITS } from '../../../service/unpack/limits.js';
import type { FileSystemView } from '../../../service/unpack/vfs.js';
import { expectValidReport } from '../../helpers/report-schema.js';
import { tempDir } from '../../helpers/temp-dir.js';
import { memoryFs } from './helpers.js';
import { DPKG_STATUS, buildSbomImage } from './sbom-fixture.js';

function fakeContext(filesystems: FileSystemView[], errors: ReportError[] = []): AnalysisContext {
  return {
    image: { path: '/dev/null', sha256: '0'.repeat(64), size: 1, fileName: 'x.bin' },
    filesystems,
    extraction: { chain: [], fileCount: 0, rootFileSystems: [], unknownRegions: [], errors: [] },
    dependencyOutput: () => undefined,
    settings: { analyzerTimeoutMs: 10_000, options: {} },
    signal: new AbortController().signal,
    progress: () => {},
    error: (e) => errors.push({ ...e, stage: 'sbom' }),
  };
}

describe('sbom analyzer', () => {
  it('end to end: tar.gz with dpkg, opkg and os-release -> components with purl, cpe, evidence and chain', async () => {
    const image = buildSbomImage(tempDir());
    const report = await analyzeImage({ imagePath: image, limits: DEFAULT_UNPACK_LIMITS, analyzerTimeoutMs: 30_000 });
    expectValidReport(report);
    expect(report.analysis.analyzers.find((a) => a.name === 'sbom')).toMatchObject({ version: '1.0.0', status: 'ok' });
    expect(report.analysis.errors).toEqual([]);

    const byName = Object.fromEntries(report.components.map((c) => [c.name, c]));
    expect(Object.keys(byName).sort()).toEqual(['busybox', 'openssl', 'openwrt', 'zlib']);
    expect(byName.busybox).toMatchObject({
      version: '1.36.1-1',
      purl: 'pkg:opkg/openwrt/busybox@1.36.1-1?arch=x86_64&distro=openwrt-23.05.0',
      cpe: 'cpe:2.3:a:busybox:busybox:1.36.1:*:*:*:*:*:*:*',
      foundBy: 'package-db',
      kind: 'application',
    });
    expect(byName.openssl).toMatchObject({
      version: '3.0.12-1',
      purl: 'pkg:opkg/openwrt/libopenssl3@3.0.12-1?arch=x86_64&distro=openwrt-23.05.0',
      cpe: 'cpe:2.3:a:openssl:openssl:3.0.12:*:*:*:*:*:*:*',
    });
    // The removed Debian openssl (config-files) is not a component; zlib keeps Debian's namespace.
    expect(report.components.filter((c) => c.name === 'openssl')).toHaveLength(1);
    expect(byName.zlib).toMatchObject({
      version: '1:1.2.13.dfsg-1',
      purl: 'pkg:deb/debian/zlib1g@1:1.2.13.dfsg-1?arch=amd64&upstream=zlib',
      cpe: 'cpe:2.3:a:zlib:zlib:1.2.13:*:*:*:*:*:*:*',
    });
    expect(byName.openwrt).toMatchObject({ version: '23.05.0', foundBy: 'release-file', kind: 'operating-system', cpe: 'cpe:2.3:o:openwrt:openwrt:23.05.0:*:*:*:*:*:*:*' });
    expect(byName.openwrt?.purl).toBeUndefined();
    expect(byName.openwrt?.evidence.map((e) => e.path).sort()).toEqual(['/etc/os-release', '/usr/lib/os-release']);

    // Evidence: path inside the root filesystem, the matched line, the container chain and the file's hash.
    const ev = byName.busybox?.evidence[0];
    expect(ev).toMatchObject({
      path: '/usr/lib/opkg/status',
      match: 'Package: busybox | Version: 1.36.1-1 | Status: install user installed',
      source: 'opkg-status',
      filesystem: report.extraction.rootFileSystems[0]?.id,
    });
    expect(ev?.chain?.map((l) => l.format)).toEqual(['gzip', 'tar']);
    expect(ev?.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(byName.zlib?.evidence[0]?.offset).toBe(0);

    // Both exports of this report conform to the official schemas.
    expect(cycloneDxSchemaErrors(toCycloneDx(report))).toEqual([]);
    expect(spdxSchemaErrors(toSpdx(report))).toEqual([]);
  });

  it('walks each filesystem, keeps each one its own distro, and reports a failing read without failing', async () => {
    const debian = memoryFs(
      { '/etc/os-release': 'ID=debian\nVERSION_ID="12"\n', '/var/lib/dpkg/status': DPKG_STATUS },
      { id: 'rootfs-a', chain: [{ format: 'ext', offset: 0, size: 1 }] },
    );
    const broken = memoryFs({}, { id: 'rootfs-b', symlinks: { '/etc/os-release': '/nowhere' } });
    const errors: ReportError[] = [];
    const out = await sbomAnalyzer.analyze(fakeContext([debian, broken], errors));
    expect(out.components?.map((c) => `${c.name}@${c.version}`)).toEqual(['debian@12', 'zlib@1:1.2.13.dfsg-1']);
    expect(out.components?.find((c) => c.name === 'zlib')?.purl).toBe('pkg:deb/debian/zlib1g@1:1.2.13.dfsg-1?arch=amd64&distro=debian-12&upstream=zlib');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ path: '/etc/os-release' });
    expect(errors[0]?.message).toContain('os-release');
  });

  it('stops when its time is up', async () => {
    const ac = new AbortController();
    ac.abort();
    const ctx = { ...fakeContext([memoryFs({ '/etc/os-release': 'ID=debian\nVERSION_ID=12\n' })]), signal: ac.signal };
    await expect(sbomAnalyzer.analyze(ctx)).rejects.toThrow();
  });
});
