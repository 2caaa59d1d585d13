import { describe, expect, it } from 'vitest';
import {
  IDENTITY_ROWS,
  canonicalPackageName,
  cpesFor,
  defaultPurl,
} from '../../../service/analyze/sbom/component-identity.js';
import { CPE23_PATTERN, cpeValue, formatCpe23 } from '../../../service/analyze/sbom/identity/cpe.js';
import { formatPurl, purlEncode } from '../../../service/analyze/sbom/identity/purl.js';
import { upstreamVersion, versionsAgree } from '../../../service/analyze/sbom/identity/versions.js';

describe('CPE 2.3 formatted strings', () => {
  it('quotes every special character, keeps . - _ and lower-cases', () => {
    expect(cpeValue('1.0.2k')).toBe('1.0.2k');
    expect(cpeValue('2:1.2')).toBe('2\\:1.2');
    expect(cpeValue('1.2+dfsg~rc1')).toBe('1.2\\+dfsg\\~rc1');
    expect(cpeValue('2023-09-08_e5cc')).toBe('2023-09-08_e5cc');
    expect(cpeValue('a*b?c')).toBe('a\\*b\\?c');
    expect(cpeValue('Release 2')).toBe('release_2');
    expect(cpeValue('')).toBe('*');
    expect(cpeValue('-')).toBe('-');
    expect(formatCpe23({ part: 'a', vendor: 'haxx', product: 'curl', version: '7.88.1' })).toBe('cpe:2.3:a:haxx:curl:7.88.1:*:*:*:*:*:*:*');
    expect(formatCpe23({ part: 'o', vendor: 'linux', product: 'linux_kernel', version: '5.15.137' })).toBe(
      'cpe:2.3:o:linux:linux_kernel:5.15.137:*:*:*:*:*:*:*',
    );
  });

  it('conforms to the CPE 2.3 dictionary pattern, escapes included', () => {
    for (const version of ['1.0.2k', '2:1.2', '1:1.2.13.dfsg-1', '3.0.19-1~deb12u2', 'git-23.306.39943-3d6a174', 'r1+b(2)', 'x/y@z']) {
      const cpe = formatCpe23({ part: 'a', vendor: 'openssl', product: 'openssl', version });
      expect(cpe, cpe).toMatch(CPE23_PATTERN);
    }
    // Unescaped, the epoch's ':' adds a twelfth attribute: not a CPE (or, cut short, version 2 update 1.2).
    expect('cpe:2.3:a:openssl:openssl:2:1.2:*:*:*:*:*:*:*').not.toMatch(CPE23_PATTERN);
    expect(formatCpe23({ part: 'a', vendor: 'openssl', product: 'openssl', version: '2:1.2' })).toBe(
      'cpe:2.3:a:openssl:openssl:2\\:1.2:*:*:*:*:*:*:*',
    );
  });
});

describe('purls', () => {
  it('percent-encodes per the purl spec, keeps ":" and sorts qualifiers', () => {
    expect(purlEncode('1.2+dfsg')).toBe('1.2%2Bdfsg');
    expect(purlEncode('a b/c')).toBe('a%20b%2Fc');
    expect(purlEncode('Teräs')).toBe('Ter%C3%A4s');
    expect(
      formatPurl({ type: 'deb', namespace: 'debian', name: 'zlib1g', version: '1:1.2.13.dfsg-1', qualifiers: { distro: 'debian-12', arch: 'amd64', upstream: 'zlib' } }),
    ).toBe('pkg:deb/debian/zlib1g@1:1.2.13.dfsg-1?arch=amd64&distro=debian-12&upstream=zlib');
    expect(formatPurl({ type: 'deb', namespace: 'debian', name: 'libssl3', version: '3.0.19-1~deb12u2' })).toBe(
      'pkg:deb/debian/libssl3@3.0.19-1~deb12u2',
    );
    expect(formatPurl({ type: 'opkg', namespace: 'openwrt', name: 'busybox', version: '1.36.1-1', qualifiers: { arch: 'mips_24kc', empty: '' } })).toBe(
      'pkg:opkg/openwrt/busybox@1.36.1-1?arch=mips_24kc',
    );
    expect(formatPurl({ type: 'generic', name: 'busybox', version: '1.19.2' })).toBe('pkg:generic/busybox@1.19.2');
    expect(formatPurl({ type: 'GENERIC', name: 'c++lib', version: '1.0 beta' })).toBe('pkg:generic/c%2B%2Blib@1.0%20beta');
  });
});

describe('upstream versions', () => {
  it('strips what package managers add', () => {
    expect(upstreamVersion('1:1.2.13.dfsg-1', 'deb')).toBe('1.2.13');
    expect(upstreamVersion('3.0.19-1~deb12u2', 'deb')).toBe('3.0.19');
    expect(upstreamVersion('2.4.1+really2.3.9-1', 'deb')).toBe('2.3.9');
    expect(upstreamVersion('1.36.1-1', 'opkg')).toBe('1.36.1');
    expect(upstreamVersion('5.15.137-1-8f468338fcdf9df0aa1a3c5787b861f6', 'opkg')).toBe('5.15.137');
    expect(upstreamVersion('1.36.1-r0', 'opkg')).toBe('1.36.1');
    expect(upstreamVersion('1.1.1k-r0', 'apk')).toBe('1.1.1k');
    expect(upstreamVersion('1.19.2', 'generic')).toBe('1.19.2');
    expect(versionsAgree('1:1.36.1-6', 'deb', '1.36.1')).toBe(true);
    expect(versionsAgree('1.36.1-1', 'opkg', 'v1.36.1')).toBe(true);
    expect(versionsAgree('1.36.1-1', 'opkg', '1.35.0')).toBe(false);
  });
});

describe('component identity tables', () => {
  it('map distro package names to canonical components', () => {
    const cases: Array<[string, string | undefined, string]> = [
      ['libssl3', 'openssl', 'openssl'],
      ['libssl1.1', undefined, 'openssl'],
      ['libopenssl3', undefined, 'openssl'],
      ['libcurl4', 'curl', 'curl'],
      ['zlib1g', 'zlib', 'zlib'],
      ['dropbear-bin', 'dropbear', 'dropbear'],
      ['libc6', 'glibc', 'glibc'],
      ['dnsmasq-base', 'dnsmasq', 'dnsmasq'],
      ['linux-image-6.1.0-18-amd64', 'linux-signed-amd64', 'linux'],
      ['kernel', undefined, 'linux'],
      ['libwolfssl5.6.4.e624513f', undefined, 'wolfssl'],
      ['libblkid1', 'util-linux', 'util-linux'],
      ['some-vendor-daemon', 'vendor-src', 'some-vendor-daemon'],
      ['libc', undefined, 'libc'],
    ];
    for (const [pkg, source, expected] of cases) expect(canonicalPackageName(pkg, source), pkg).toBe(expected);
  });

  it('give CPEs with NVD vendor:product pairs, several where NVD has several', () => {
    expect(cpesFor('curl', '7.88.1')).toEqual(['cpe:2.3:a:haxx:curl:7.88.1:*:*:*:*:*:*:*', 'cpe:2.3:a:haxx:libcurl:7.88.1:*:*:*:*:*:*:*']);
    expect(cpesFor('dropbear', '2012.55')).toEqual(['cpe:2.3:a:dropbear_ssh_project:dropbear_ssh:2012.55:*:*:*:*:*:*:*']);
    expect(cpesFor('uclibc', '0.9.33.2')).toEqual(['cpe:2.3:a:uclibc:uclibc:0.9.33.2:*:*:*:*:*:*:*']);
    expect(cpesFor('uclibc-ng', '1.0.42')).toEqual(['cpe:2.3:a:uclibc-ng_project:uclibc-ng:1.0.42:*:*:*:*:*:*:*']);
    expect(cpesFor('glibc', '2.36')).toEqual(['cpe:2.3:a:gnu:glibc:2.36:*:*:*:*:*:*:*']);
    expect(cpesFor('openwrt', '22.03.4')).toEqual(['cpe:2.3:o:openwrt:openwrt:22.03.4:*:*:*:*:*:*:*']);
    expect(cpesFor('unknown-thing', '1.0')).toEqual([]);
    expect(cpesFor('mkf2fs', '1.16.0', [{ part: 'a', vendor: 'f2fs-tools_project', product: 'f2fs-tools' }])).toEqual([
      'cpe:2.3:a:f2fs-tools_project:f2fs-tools:1.16.0:*:*:*:*:*:*:*',
    ]);
    expect(defaultPurl('busybox', '1.19.2')).toBe('pkg:generic/busybox@1.19.2');
    expect(defaultPurl('openwrt', '22.03.4')).toBeUndefined();
  });

  it('have unique names and package names, lower-case, and well-formed CPEs', () => {
    const names = IDENTITY_ROWS.map((r) => r.name);
    expect(new Set(names).size).toBe(names.length);
    const packages = IDENTITY_ROWS.flatMap((r) => r.packages ?? []);
    expect(packages.filter((p, i) => packages.indexOf(p) !== i)).toEqual([]);
    for (const row of IDENTITY_ROWS) {
      expect(row.name).toMatch(/^[a-z0-9][a-z0-9._+-]*$/);
      for (const cpe of cpesFor(row.name, '1.0')) expect(cpe).toMatch(CPE23_PATTERN);
    }
  });
});
