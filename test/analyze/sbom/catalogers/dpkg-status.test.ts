import { describe, expect, it } from 'vitest';
import { dpkgStatus } from '../../../../service/analyze/sbom/catalogers/dpkg-status.js';
import { ids, runCataloger } from '../helpers.js';

// Real stanzas from Debian 12 (bookworm) amd64 /var/lib/dpkg/status (the build machine of this project,
// packages openssl 3.0.19-1~deb12u2 and zlib 1:1.2.13.dfsg-1), descriptions shortened.
const DEBIAN_12_STATUS = `Package: libssl3
Status: install ok installed
Priority: optional
Section: libs
Installed-Size: 6029
Maintainer: Debian OpenSSL Team <pkg-openssl-devel@alioth-lists.debian.net>
Architecture: amd64
Multi-Arch: same
Source: openssl
Version: 3.0.19-1~deb12u2
Depends: libc6 (>= 2.34)
Description: Secure Sockets Layer toolkit - shared libraries
 This package is part of the OpenSSL project's implementation of the SSL
 and TLS cryptographic protocols for secure communication over the
 Internet.
 .
 It provides the libssl and libcrypto shared libraries.
Homepage: https://www.openssl.org/

Package: openssl
Status: install ok installed
Priority: optional
Section: utils
Installed-Size: 2308
Maintainer: Debian OpenSSL Team <pkg-openssl-devel@alioth-lists.debian.net>
Architecture: amd64
Multi-Arch: foreign
Version: 3.0.19-1~deb12u2
Depends: libc6 (>= 2.34), libssl3 (>= 3.0.9)
Suggests: ca-certificates
Conffiles:
 /etc/ssl/openssl.cnf fe1993ec22f6b8a46cb9706acd8fc68f
Description: Secure Sockets Layer toolkit - cryptographic utility
Homepage: https://www.openssl.org/

Package: zlib1g
Status: install ok installed
Priority: optional
Section: libs
Installed-Size: 168
Maintainer: Mark Brown <broonie@debian.org>
Architecture: amd64
Multi-Arch: same
Source: zlib
Version: 1:1.2.13.dfsg-1
Provides: libz1
Depends: libc6 (>= 2.14)
Description: compression library - runtime
Homepage: http://zlib.net/
`;

// FALSE POSITIVES, beside the true ones (FACT's habit). A package removed with \`apt remove\` keeps its stanza
// with "deinstall ok config-files" (only its configuration is left); a failed install leaves "half-installed";
// "not-installed" entries can remain after a purge. None of these is software in the image. The stanzas are
// the real bookworm ones above with their Status changed, which is how dpkg records those states.
const NOT_PRESENT = `Package: openssl
Status: deinstall ok config-files
Architecture: amd64
Version: 3.0.19-1~deb12u2
Config-Version: 3.0.19-1~deb12u2

Package: zlib1g
Status: install reinstreq half-installed
Architecture: amd64
Source: zlib
Version: 1:1.2.13.dfsg-1

Package: libssl3
Status: purge ok not-installed
Architecture: amd64

Package: no-version-here
Status: install ok installed
Architecture: amd64
`;

describe('dpkg status cataloger', () => {
  it('reads installed packages with canonical names, versions, arch and evidence', async () => {
    const ds = await runCataloger(dpkgStatus, { '/var/lib/dpkg/status': DEBIAN_12_STATUS });
    expect(ids(ds)).toEqual(['openssl@3.0.19-1~deb12u2', 'openssl@3.0.19-1~deb12u2', 'zlib@1:1.2.13.dfsg-1']);
    const libssl = ds.find((d) => d.purl?.name === 'libssl3');
    expect(libssl).toMatchObject({
      name: 'openssl',
      foundBy: 'package-db',
      source: 'dpkg-status',
      purl: { type: 'deb', name: 'libssl3', qualifiers: { arch: 'amd64', upstream: 'openssl' } },
      evidence: {
        path: '/var/lib/dpkg/status',
        match: 'Package: libssl3 | Version: 3.0.19-1~deb12u2 | Status: install ok installed',
        offset: 0,
      },
    });
    const zlib = ds.find((d) => d.name === 'zlib');
    expect(DEBIAN_12_STATUS.slice(zlib?.evidence.offset)).toMatch(/^Package: zlib1g\n/);
  });

  it('FALSE POSITIVE: removed, half-installed, purged and versionless entries are not components', async () => {
    expect(await runCataloger(dpkgStatus, { '/var/lib/dpkg/status': NOT_PRESENT })).toEqual([]);
  });

  it('reads distroless status.d entries (no Status field) and skips their md5sums', async () => {
    const stanza = DEBIAN_12_STATUS.split('\n\n')[2]?.replace(/^Status: .*\n/m, '') ?? '';
    const ds = await runCataloger(dpkgStatus, {
      '/var/lib/dpkg/status.d/zlib1g': stanza,
      '/var/lib/dpkg/status.d/zlib1g.md5sums': '0123456789abcdef  usr/lib/x86_64-linux-gnu/libz.so.1.2.13\n',
    });
    expect(ids(ds)).toEqual(['zlib@1:1.2.13.dfsg-1']);
  });

  it('ignores look-alike paths and binary garbage', async () => {
    const ds = await runCataloger(dpkgStatus, {
      '/var/lib/dpkg/status-old': DEBIAN_12_STATUS,
      '/home/user/var/lib/dpkg/status': DEBIAN_12_STATUS,
    });
    expect(ds).toEqual([]);
    expect(await runCataloger(dpkgStatus, { '/var/lib/dpkg/status': Buffer.from([0, 1, 2, 0xff, 10, 10, 0x50]) })).toEqual([]);
  });
});
