import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

// Stanzas from real databases (sources in catalogers/*.test.ts): Debian 12 dpkg, OpenWrt 23.05 opkg.
export const DPKG_STATUS = `Package: zlib1g
Status: install ok installed
Architecture: amd64
Multi-Arch: same
Source: zlib
Version: 1:1.2.13.dfsg-1
Description: compression library - runtime

Package: openssl
Status: deinstall ok config-files
Architecture: amd64
Version: 3.0.19-1~deb12u2
`;
export const OPKG_STATUS = `Package: busybox
Version: 1.36.1-1
Depends: libc
Conflicts: busybox-selinux
Status: install user installed
Essential: yes
Architecture: x86_64
Installed-Time: 1700042419

Package: libopenssl3
ABIVersion: 3
Version: 3.0.12-1
Depends: libc
Provides: libopenssl
Status: install ok installed
Architecture: x86_64
Installed-Time: 1700042419
Auto-Installed: yes
`;
export const OS_RELEASE = 'NAME="OpenWrt"\nVERSION="23.05.0"\nID="openwrt"\nID_LIKE="lede openwrt"\nPRETTY_NAME="OpenWrt 23.05.0"\nVERSION_ID="23.05.0"\n';

/** A root filesystem with a dpkg status, an opkg status and an os-release (+ /etc symlink), as .tar.gz. */
export function buildSbomImage(dir: string): string {
  const tree = join(dir, 'tree');
  const files: Record<string, string> = {
    'var/lib/dpkg/status': DPKG_STATUS,
    'usr/lib/opkg/status': OPKG_STATUS,
    'usr/lib/os-release': OS_RELEASE,
  };
  for (const [p, content] of Object.entries(files)) {
    mkdirSync(dirname(join(tree, p)), { recursive: true });
    writeFileSync(join(tree, p), content);
  }
  mkdirSync(join(tree, 'etc'), { recursive: true });
  symlinkSync('../usr/lib/os-release', join(tree, 'etc', 'os-release'));
  const out = join(dir, 'sbom-fixture.tar.gz');
  execFileSync('tar', ['-czf', out, '--owner=0', '--group=0', '-C', tree, '.']);
  return out;
}
