import { describe, expect, it } from 'vitest';
import { buildroot } from '../../../../service/analyze/sbom/catalogers/buildroot.js';
import { openwrtRelease } from '../../../../service/analyze/sbom/catalogers/openwrt-release.js';
import { osRelease } from '../../../../service/analyze/sbom/catalogers/os-release.js';
import { yoctoBuildinfo } from '../../../../service/analyze/sbom/catalogers/yocto-buildinfo.js';
import { ids, runCataloger } from '../helpers.js';

// Real OpenWrt 22.03.4 x86/64 release files: github.com/Open-Core-Initiative/sturdynet-rootfs,
// usr/lib/os-release and etc/openwrt_release @ 566f0ffaa5ef87bb4cd0198a22043840cee06eef.
const OPENWRT_OS_RELEASE = `NAME="OpenWrt"
VERSION="22.03.4"
ID="openwrt"
ID_LIKE="lede openwrt"
PRETTY_NAME="OpenWrt 22.03.4"
VERSION_ID="22.03.4"
HOME_URL="https://openwrt.org/"
BUG_URL="https://bugs.openwrt.org/"
SUPPORT_URL="https://forum.openwrt.org/"
BUILD_ID="r20123-38ccc47687"
OPENWRT_BOARD="x86/64"
OPENWRT_ARCH="x86_64"
OPENWRT_TAINTS=""
OPENWRT_DEVICE_MANUFACTURER="OpenWrt"
OPENWRT_DEVICE_MANUFACTURER_URL="https://openwrt.org/"
OPENWRT_DEVICE_PRODUCT="Generic"
OPENWRT_DEVICE_REVISION="v0"
OPENWRT_RELEASE="OpenWrt 22.03.4 r20123-38ccc47687"
`;
const OPENWRT_RELEASE = `DISTRIB_ID='OpenWrt'
DISTRIB_RELEASE='22.03.4'
DISTRIB_REVISION='r20123-38ccc47687'
DISTRIB_TARGET='x86/64'
DISTRIB_ARCH='x86_64'
DISTRIB_DESCRIPTION='OpenWrt 22.03.4 r20123-38ccc47687'
DISTRIB_TAINTS=''
`;
// Real Debian 12 /etc/os-release (this project's build machine).
const DEBIAN_12 = `PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"
NAME="Debian GNU/Linux"
VERSION_ID="12"
VERSION="12 (bookworm)"
VERSION_CODENAME=bookworm
ID=debian
HOME_URL="https://www.debian.org/"
SUPPORT_URL="https://www.debian.org/support"
BUG_REPORT_URL="https://bugs.debian.org/"
`;
// Buildroot's target-finalize writes this os-release; Yocto's image-buildinfo class writes /etc/buildinfo
// (/etc/build before) in this layout (meta/classes-recipe/image-buildinfo.bbclass).
const BUILDROOT_OS_RELEASE = 'NAME=Buildroot\nVERSION=2023.02.1\nID=buildroot\nVERSION_ID=2023.02.1\nPRETTY_NAME="Buildroot 2023.02.1"\n';
const YOCTO_BUILDINFO = `-----------------------
Build Configuration:  |
-----------------------
DISTRO = poky
DISTRO_VERSION = 4.0.12
-----------------------
Layer Revisions:      |
-----------------------
meta              = HEAD:9ff2c7b4e4bf0a1f2d7e3b6c8a7e4d5c6b7a8f90
meta-poky         = HEAD:9ff2c7b4e4bf0a1f2d7e3b6c8a7e4d5c6b7a8f90
`;

describe('release-file catalogers', () => {
  it('os-release: the distribution and its version, with the lines as evidence', async () => {
    const ds = await runCataloger(osRelease, { '/usr/lib/os-release': OPENWRT_OS_RELEASE }, { '/etc/os-release': '../usr/lib/os-release' });
    expect(ids(ds)).toEqual(['openwrt@22.03.4', 'openwrt@22.03.4']);
    expect(ds[0]).toMatchObject({
      foundBy: 'release-file',
      distro: { id: 'openwrt', versionId: '22.03.4' },
      evidence: { match: 'ID="openwrt" | VERSION_ID="22.03.4"' },
    });
    expect(ds.map((d) => d.evidence.path).sort()).toEqual(['/etc/os-release', '/usr/lib/os-release']);
    expect(ids(await runCataloger(osRelease, { '/etc/os-release': DEBIAN_12 }))).toEqual(['debian@12']);
    expect(ids(await runCataloger(osRelease, { '/etc/os-release': BUILDROOT_OS_RELEASE }))).toEqual(['buildroot@2023.02.1']);
  });

  it('openwrt_release and openwrt_version', async () => {
    const ds = await runCataloger(openwrtRelease, { '/etc/openwrt_release': OPENWRT_RELEASE, '/etc/openwrt_version': '22.03.4\n' });
    expect(ids(ds)).toEqual(['openwrt@22.03.4', 'openwrt@22.03.4']);
    expect(ds.find((d) => d.source === 'openwrt-release')?.evidence.match).toBe("DISTRIB_ID='OpenWrt' | DISTRIB_RELEASE='22.03.4'");
  });

  it('Yocto buildinfo and Buildroot br-version and legal-info manifest', async () => {
    expect(ids(await runCataloger(yoctoBuildinfo, { '/etc/buildinfo': YOCTO_BUILDINFO, '/etc/build': YOCTO_BUILDINFO }))).toEqual([
      'poky@4.0.12',
      'poky@4.0.12',
    ]);
    const manifest = [
      '"PACKAGE","VERSION","LICENSE","LICENSE FILES","SOURCE ARCHIVE","SOURCE SITE","DEPENDENCIES WITH LICENSES"',
      '"busybox","1.36.0","GPL-2.0","LICENSE archival/libarchive/bz/LICENSE","busybox-1.36.0.tar.bz2","https://www.busybox.net/downloads","skeleton-init-common [unknown]"',
      '"libopenssl","3.0.8","Apache-2.0","LICENSE.txt","openssl-3.0.8.tar.gz","https://www.openssl.org/source","zlib [Zlib]"',
      '"uclibc","1.0.42","LGPL-2.1+","COPYING.LIB","uClibc-ng-1.0.42.tar.xz","https://downloads.uclibc-ng.org/releases/1.0.42",""',
      '"dropbear","2022.83","MIT, BSD-2-Clause, Public domain","LICENSE","dropbear-2022.83.tar.bz2","https://matt.ucc.asn.au/dropbear/releases",""',
    ].join('\n');
    const ds = await runCataloger(buildroot, { '/etc/br-version': '2012.11.1\n', '/usr/share/legal-info/manifest.csv': manifest });
    expect(ids(ds)).toEqual(['buildroot@2012.11.1', 'busybox@1.36.0', 'dropbear@2022.83', 'openssl@3.0.8', 'uclibc-ng@1.0.42']);
    expect(ds.find((d) => d.name === 'dropbear')?.evidence.match).toBe('"dropbear","2022.83"');
  });

  it('FALSE POSITIVE: revisions, build dates, foreign CSVs and other release files yield nothing', async () => {
    // openwrt_version on snapshots holds the build revision only.
    expect(await runCataloger(openwrtRelease, { '/etc/openwrt_version': 'r20123-38ccc47687\n' })).toEqual([]);
    // An os-release without a version (Debian testing/sid has none) names no release.
    expect(await runCataloger(osRelease, { '/etc/os-release': 'PRETTY_NAME="Debian GNU/Linux trixie/sid"\nNAME="Debian GNU/Linux"\nVERSION_CODENAME=trixie\nID=debian\n' })).toEqual([]);
    // Yocto's /etc/version is a build timestamp, not read; /etc/build without DISTRO_VERSION yields nothing.
    expect(await runCataloger(yoctoBuildinfo, { '/etc/version': '20230922095600\n', '/etc/build': 'DISTRO = poky\n' })).toEqual([]);
    // A manifest.csv that is not Buildroot's, and Buildroot's host-manifest.csv (build-host tools).
    expect(await runCataloger(buildroot, { '/www/data/manifest.csv': 'name,version\nfoo,1.0\n' })).toEqual([]);
    expect(await runCataloger(buildroot, { '/legal-info/host-manifest.csv': '"PACKAGE","VERSION","LICENSE"\n"host-gcc","12.3.0","GPL"\n' })).toEqual([]);
  });
});
