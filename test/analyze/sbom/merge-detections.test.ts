import { describe, expect, it } from 'vitest';
import type { Detection } from '../../../service/analyze/sbom/detection.js';
import { mergeSightings, type Sighting } from '../../../service/analyze/sbom/merge-detections.js';

const chain = [{ format: 'squashfs', offset: 1024, size: 4096 }];

function sighting(d: Partial<Detection> & Pick<Detection, 'name' | 'version' | 'foundBy'>, extra: Partial<Sighting> = {}): Sighting {
  return {
    detection: { source: 'test', evidence: { path: '/x', match: 'm' }, ...d },
    filesystem: 'fs0',
    chain,
    ...extra,
  };
}

const opkgBusybox = sighting({
  name: 'busybox',
  version: '1.36.1-1',
  foundBy: 'package-db',
  source: 'opkg-status',
  purl: { type: 'opkg', name: 'busybox', qualifiers: { arch: 'mips_24kc' } },
  evidence: { path: '/usr/lib/opkg/status', match: 'Package: busybox | Version: 1.36.1-1', offset: 0 },
}, { distro: { id: 'openwrt', versionId: '23.05.0' } });
const binaryBusybox = sighting({
  name: 'busybox',
  version: '1.36.1',
  foundBy: 'binary-string',
  source: 'classifier:busybox',
  evidence: { path: '/bin/busybox', match: 'BusyBox v1.36.1 (2023-11-14 22:41:18 UTC)', offset: 123 },
});

describe('merging detections into components', () => {
  it('a binary version that agrees with the package database joins it: one component, all evidence, all methods', () => {
    const [c, ...rest] = mergeSightings([binaryBusybox, opkgBusybox, opkgBusybox]);
    expect(rest).toEqual([]);
    expect(c).toMatchObject({
      name: 'busybox',
      version: '1.36.1-1',
      purl: 'pkg:opkg/openwrt/busybox@1.36.1-1?arch=mips_24kc&distro=openwrt-23.05.0',
      cpe: 'cpe:2.3:a:busybox:busybox:1.36.1:*:*:*:*:*:*:*',
      kind: 'application',
      foundBy: 'package-db',
      foundByAll: ['package-db', 'binary-string'],
    });
    // The duplicate opkg sighting is deduplicated; each evidence keeps its filesystem and chain.
    expect(c?.evidence.map((e) => e.path)).toEqual(['/usr/lib/opkg/status', '/bin/busybox']);
    expect(c?.evidence[1]).toMatchObject({ source: 'classifier:busybox', filesystem: 'fs0', chain, offset: 123 });
  });

  it('conflicting versions stay separate components, never averaged', () => {
    const old = sighting({ ...binaryBusybox.detection, version: '1.19.2', evidence: { path: '/rescue/busybox', match: 'BusyBox v1.19.2' } });
    const cs = mergeSightings([opkgBusybox, binaryBusybox, old]);
    expect(cs.map((c) => `${c.name}@${c.version}:${c.foundBy}`)).toEqual(['busybox@1.19.2:binary-string', 'busybox@1.36.1-1:package-db']);
    expect(cs[0]?.purl).toBe('pkg:generic/busybox@1.19.2');
    expect(cs[0]?.cpe).toBe('cpe:2.3:a:busybox:busybox:1.19.2:*:*:*:*:*:*:*');
  });

  it('same name and version in two filesystems is one component with evidence from both', () => {
    const other = { ...binaryBusybox, filesystem: 'fs1', chain: [{ format: 'ubi', offset: 0, size: 8192 }] };
    const [c] = mergeSightings([binaryBusybox, other]);
    expect(c?.evidence.map((e) => e.filesystem)).toEqual(['fs0', 'fs1']);
  });

  it('debian packages of one source merge; purls take the distro namespace and qualifier', () => {
    const deb = (pkg: string) =>
      sighting(
        { name: 'openssl', version: '3.0.19-1~deb12u2', foundBy: 'package-db', purl: { type: 'deb', name: pkg, qualifiers: { arch: 'amd64' } }, evidence: { path: '/var/lib/dpkg/status', match: `Package: ${pkg}` } },
        { distro: { id: 'debian', versionId: '12' } },
      );
    const cs = mergeSightings([deb('openssl'), deb('libssl3')]);
    expect(cs).toHaveLength(1);
    expect(cs[0]).toMatchObject({
      purl: 'pkg:deb/debian/openssl@3.0.19-1~deb12u2?arch=amd64&distro=debian-12',
      cpe: 'cpe:2.3:a:openssl:openssl:3.0.19:*:*:*:*:*:*:*',
    });
    expect(cs[0]?.evidence).toHaveLength(2);
  });

  it('keeps every CPE when NVD has several, and a package without identity gets a purl but no CPE', () => {
    const curl = sighting({ name: 'curl', version: '8.5.0', foundBy: 'binary-string' });
    const mystery = sighting({ name: 'vendor-agent', version: '2.1', foundBy: 'package-db', purl: { type: 'opkg', name: 'vendor-agent' } });
    const [c, m] = mergeSightings([curl, mystery]);
    expect(c?.cpes).toEqual(['cpe:2.3:a:haxx:curl:8.5.0:*:*:*:*:*:*:*', 'cpe:2.3:a:haxx:libcurl:8.5.0:*:*:*:*:*:*:*']);
    expect(m).toMatchObject({ purl: 'pkg:opkg/openwrt/vendor-agent@2.1' });
    expect(m?.cpe).toBeUndefined();
  });
});
