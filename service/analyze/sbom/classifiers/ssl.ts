// TLS and crypto libraries. Each row quotes the string it matches and the binary it was read from; the test
// fixtures (test/analyze/sbom/classifiers/snippets.ts) hold those bytes.
import { ANY_ELF, stripBuildSuffix, type ClassifierRow } from './types.js';

export const SSL_ROWS: readonly ClassifierRow[] = [
  {
    // "OpenSSL 3.0.20 7 Apr 2026" (libcrypto.so.3, libssl3 3.0.20 armhf); "OpenSSL 0.9.8g 19 Oct 2007"
    // (TRENDnet TEW-733GR libcrypto.so.0.9.8); "SSLv3 part of OpenSSL 0.9.7f 22 Mar 2005" (ZyXEL libssl).
    // The release date is part of the pattern: "OpenSSL 1.0.0 or later required" never matches.
    id: 'openssl',
    component: 'openssl',
    fileGlobs: ANY_ELF,
    anchor: 'OpenSSL ',
    pattern: /OpenSSL (?<version>\d\.\d+\.\d+[a-z]{0,2}(?:-fips|-dev)?) {1,2}\d{1,2} [A-Z][a-z]{2} \d{4}/,
    normalize: stripBuildSuffix,
    // "OpenSSL 3.0.16 11 Feb 2025" in /usr/sbin/hostapd (hostapd 2.10 armhf) is the header it was built with.
    linkedLibrary: { soname: 'libcrypto.so', ownFiles: ['**/libcrypto*', '**/libssl*'] },
  },
  {
    // "Enabled GnuTLS 3.7.9 logging..." (libgnutls.so.30, libgnutls30 3.7.9 armhf)
    id: 'gnutls',
    component: 'gnutls',
    fileGlobs: ANY_ELF,
    anchor: 'Enabled GnuTLS ',
    pattern: /Enabled GnuTLS (?<version>\d+\.\d+\.\d+) logging/,
  },
  {
    // "mbed TLS 2.28.3" (libmbedcrypto.so.2.28.3, libmbedcrypto7 2.28.3 armhf); 3.x spells it "Mbed TLS".
    id: 'mbedtls',
    component: 'mbedtls',
    fileGlobs: ANY_ELF,
    anchor: 'bed TLS ',
    pattern: /\x00[mM]bed TLS (?<version>\d+\.\d+\.\d+)\x00/,
  },
  {
    // "wolfSSL 5.5.4" (libwolfssl.so.35, libwolfssl35 5.5.4 armhf)
    id: 'wolfssl',
    component: 'wolfssl',
    fileGlobs: ANY_ELF,
    anchor: 'wolfSSL ',
    pattern: /\x00wolfSSL (?<version>\d+\.\d+\.\d+)\x00/,
  },
  {
    // "This is Libgcrypt 1.10.1 - The GNU Crypto Library" (libgcrypt.so.20, libgcrypt20 1.10.1 armhf)
    id: 'libgcrypt',
    component: 'libgcrypt',
    fileGlobs: ANY_ELF,
    anchor: 'This is Libgcrypt ',
    pattern: /This is Libgcrypt (?<version>\d+\.\d+\.\d+) - /,
  },
  {
    // "This is Libgpg-error 1.46 - A runtime library" (libgpg-error.so.0, libgpg-error0 1.46 armhf)
    id: 'libgpg-error',
    component: 'libgpg-error',
    fileGlobs: ANY_ELF,
    anchor: 'This is Libgpg-error ',
    pattern: /This is Libgpg-error (?<version>\d+\.\d+(?:\.\d+)?) - /,
  },
  {
    // "KRB5_BRAND: krb5-1.20.1-final 1.20.1 20221111" (libkrb5.so.3, libkrb5-3 1.20.1 armhf)
    id: 'krb5',
    component: 'krb5',
    fileGlobs: ANY_ELF,
    anchor: 'KRB5_BRAND: krb5-',
    pattern: /KRB5_BRAND: krb5-(?<version>\d+\.\d+(?:\.\d+)?)(?:-\w+)? /,
  },
  {
    // "@(#) $OpenLDAP: ldapsearch 2.5.13+dfsg-5 (Feb  8 2023 01:56:12) $" (ldap-utils 2.5.13 armhf); a
    // libldap built from upstream sources carries "@(#) $OpenLDAP: libldap 2.4.57 (...)" the same way.
    id: 'openldap',
    component: 'openldap',
    fileGlobs: ANY_ELF,
    anchor: '$OpenLDAP: ',
    pattern: /@\(#\) \$OpenLDAP: [\w.-]+ (?<version>\d+\.\d+\.\d+)[^\x00]{0,40}\$/,
    normalize: (v) => v,
  },
];
