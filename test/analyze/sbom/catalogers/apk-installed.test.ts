import { describe, expect, it } from 'vitest';
import { apkInstalled } from '../../../../service/analyze/sbom/catalogers/apk-installed.js';
import { ids, runCataloger } from '../helpers.js';

// Real Alpine 3.14 (armv7) database: blocks from github.com/hizlbuzz/alpine-minirootfs-v3.14,
// lib/apk/db/installed @ 485d1959659a97344e51f16c9f2266187d15cb77 (file lists shortened).
const ALPINE_3_14 = `C:Q1CpjMpFo3UY/Tn4CshBpA+PXMf04=
P:musl
V:1.2.2-r3
A:armv7
S:360760
I:516096
T:the musl c library (libc) implementation
U:https://musl.libc.org/
L:MIT
o:musl
m:Timo Teräs <timo.teras@iki.fi>
t:1620570927
c:1e9cba35059e3bb4635f12ee7e10dfe687df31ad
p:so:libc.musl-armv7.so.1=1
F:lib
R:ld-musl-armhf.so.1
a:0:0:755
Z:Q1OR21cpf2INrOZXtXeMnWdqhkld4=

C:Q1etIoH9Bn//8ZAZJzjaLilkFdk98=
P:libcrypto1.1
V:1.1.1k-r0
A:armv7
S:956398
I:1679360
T:Crypto library from openssl
U:https://www.openssl.org/
L:OpenSSL
o:openssl
m:Timo Teras <timo.teras@iki.fi>
t:1616681373
c:92ff3f34184c589fa4d811f96fa7f607b803975a
D:so:libc.musl-armv7.so.1
p:so:libcrypto.so.1.1=1.1
F:lib
R:libcrypto.so.1.1
a:0:0:755
Z:Q1x1H1VhQ1eMsslNVg+lFlTh92tIg=

C:Q1u5Mrs213LXud2vXmrXvl1d4WXgY=
P:ssl_client
V:1.33.1-r3
A:armv7
S:3943
I:24576
T:EXternal ssl_client for busybox wget
U:https://busybox.net/
L:GPL-2.0-only
o:busybox
m:Natanael Copa <ncopa@alpinelinux.org>
t:1624983700
c:98710256acf90e670e79f32f1f0350b830979d24
D:so:libc.musl-armv7.so.1 so:libtls.so.2
p:cmd:ssl_client
F:usr
F:usr/bin
R:ssl_client
a:0:0:755
Z:Q1kxen/ICa2rgQ5kUZNohOG/iktXk=

C:Q1rvUVBk2Op5i7hHe/WRjv9NSzn14=
P:ifupdown-ng
V:0.11.3-r0
A:armv7
o:ifupdown-ng
`;

describe('apk installed-db cataloger', () => {
  it('reads packages, mapping subpackages through their origin', async () => {
    const ds = await runCataloger(apkInstalled, { '/lib/apk/db/installed': ALPINE_3_14 });
    expect(ids(ds)).toEqual(['busybox@1.33.1-r3', 'ifupdown-ng@0.11.3-r0', 'musl@1.2.2-r3', 'openssl@1.1.1k-r0']);
    expect(ds.find((d) => d.name === 'openssl')).toMatchObject({
      purl: { type: 'apk', name: 'libcrypto1.1', qualifiers: { arch: 'armv7', upstream: 'openssl' } },
      evidence: { path: '/lib/apk/db/installed', match: 'P:libcrypto1.1 | V:1.1.1k-r0' },
    });
  });

  it('FALSE POSITIVE: a block without P: or V:, and a file list, are not packages', async () => {
    const broken = 'C:Q1abc=\nP:half-written\nA:armv7\n\nF:usr/bin\nR:apk\nZ:Q1xyz=\n\nV:1.0-r0\n';
    expect(await runCataloger(apkInstalled, { '/lib/apk/db/installed': broken })).toEqual([]);
    // apk's world file lists what was asked for, not what is installed.
    expect(await runCataloger(apkInstalled, { '/etc/apk/world': 'busybox\nmusl\n' })).toEqual([]);
  });
});
