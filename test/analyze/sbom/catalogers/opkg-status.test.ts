import { describe, expect, it } from 'vitest';
import { opkgStatus } from '../../../../service/analyze/sbom/catalogers/opkg-status.js';
import { ids, runCataloger } from '../helpers.js';

// Real OpenWrt 23.05 (x86_64) ROM package database: stanzas copied from the extracted root filesystem
// published at github.com/trillaman/luci23.05, usr/lib/opkg/status @ 0b1e1bf9630567d544f8e57123ee7f244be21c2f.
const OPENWRT_23_05_STATUS = `Package: libopenssl3
ABIVersion: 3
Version: 3.0.12-1
Depends: libc
Provides: libopenssl
Status: install ok installed
Architecture: x86_64
Installed-Time: 1700042419
Auto-Installed: yes

Package: libc
Version: 1.2.4-4
Depends: libgcc1
Status: install hold installed
Essential: yes
Architecture: x86_64
Installed-Time: 1700042419
Auto-Installed: yes

Package: busybox
Version: 1.36.1-1
Depends: libc
Conflicts: busybox-selinux
Status: install user installed
Essential: yes
Architecture: x86_64
Conffiles:
 /etc/syslog.conf e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
Installed-Time: 1700042419

Package: kmod-tun
Version: 5.15.137-1
Depends: kernel (= 5.15.137-1-8f468338fcdf9df0aa1a3c5787b861f6)
Status: install user installed
Architecture: x86_64
Installed-Time: 1700042419
`;

// Real control files from the same image: usr/lib/opkg/info/{busybox,libopenssl3,mkf2fs}.control.
const BUSYBOX_CONTROL = `Package: busybox
Version: 1.36.1-1
Depends: libc
Conflicts: busybox-selinux
Source: package/busybox
SourceName: busybox
License: GPL-2.0
LicenseFiles: LICENSE archival/libarchive/bz/LICENSE
Section: base
Require-User: ntp=123:ntp=123
SourceDateEpoch: 1684680884
CPE-ID: cpe:/a:busybox:busybox
Essential: yes
Maintainer: Felix Fietkau <nbd@nbd.name>
Architecture: x86_64
Installed-Size: 237257
Description:  The Swiss Army Knife of embedded Linux.
 It slices, it dices, it makes Julian Fries.
`;
const MKF2FS_CONTROL = `Package: mkf2fs
Version: 1.16.0-1
Depends: libc, libf2fs6
Conflicts: mkf2fs-selinux
Source: package/f2fs-tools
SourceName: mkf2fs
License: GPL-2.0-only
LicenseFiles: COPYING
Section: utils
SourceDateEpoch: 1684680884
CPE-ID: cpe:/a:f2fs-tools_project:f2fs-tools
Maintainer: Felix Fietkau <nbd@nbd.name>
Architecture: x86_64
Installed-Size: 16839
Description:  Utility for creating a Flash-Friendly File System (F2FS)
`;

// FALSE POSITIVES: a package removed on the device with its modified conffiles kept ("config-files"), one
// opkg marked not-installed, and a stanza without a version (the busybox stanza above, edited).
const NOT_PRESENT = `Package: busybox
Version: 1.36.1-1
Status: deinstall ok config-files
Architecture: x86_64

Package: dropbear
Version: 2022.82-6
Status: deinstall user not-installed
Architecture: x86_64

Package: busybox
Status: install user installed
Architecture: x86_64
`;

describe('opkg status cataloger', () => {
  it('reads an OpenWrt status file: names, versions, arch, evidence', async () => {
    const ds = await runCataloger(opkgStatus, { '/usr/lib/opkg/status': OPENWRT_23_05_STATUS });
    // OpenWrt's "libc" is musl here and uClibc on old releases: left as the package name, not guessed.
    expect(ids(ds)).toEqual(['busybox@1.36.1-1', 'kmod-tun@5.15.137-1', 'libc@1.2.4-4', 'openssl@3.0.12-1']);
    expect(ds.find((d) => d.name === 'busybox')).toMatchObject({
      foundBy: 'package-db',
      source: 'opkg-status',
      purl: { type: 'opkg', name: 'busybox', qualifiers: { arch: 'x86_64' } },
      evidence: { path: '/usr/lib/opkg/status', match: 'Package: busybox | Version: 1.36.1-1 | Status: install user installed' },
    });
    const ssl = ds.find((d) => d.name === 'openssl');
    expect(ssl?.purl?.name).toBe('libopenssl3');
    expect(ssl?.evidence.offset).toBe(0);
  });

  it('reads info/*.control files with the CPE the package declares', async () => {
    const ds = await runCataloger(opkgStatus, {
      '/usr/lib/opkg/info/busybox.control': BUSYBOX_CONTROL,
      '/usr/lib/opkg/info/mkf2fs.control': MKF2FS_CONTROL,
      '/usr/lib/opkg/info/busybox.list': '/bin/busybox\n',
    });
    expect(ids(ds)).toEqual(['busybox@1.36.1-1', 'mkf2fs@1.16.0-1']);
    expect(ds.find((d) => d.name === 'mkf2fs')).toMatchObject({
      source: 'opkg-control',
      declaredCpe: [{ part: 'a', vendor: 'f2fs-tools_project', product: 'f2fs-tools' }],
      evidence: { path: '/usr/lib/opkg/info/mkf2fs.control' },
    });
  });

  it('reads Yocto (/var/lib/opkg) and old ipkg databases too', async () => {
    const ds = await runCataloger(opkgStatus, {
      '/var/lib/opkg/status': OPENWRT_23_05_STATUS.split('\n\n')[2] ?? '',
      '/usr/lib/ipkg/info/busybox.control': BUSYBOX_CONTROL,
    });
    expect(ids(ds)).toEqual(['busybox@1.36.1-1', 'busybox@1.36.1-1']);
  });

  it('FALSE POSITIVE: removed, not-installed and versionless entries are not components', async () => {
    expect(await runCataloger(opkgStatus, { '/usr/lib/opkg/status': NOT_PRESENT })).toEqual([]);
    // A package index (the feed list opkg downloads) is not what is installed.
    expect(await runCataloger(opkgStatus, { '/var/opkg-lists/openwrt_core': OPENWRT_23_05_STATUS })).toEqual([]);
  });
});
