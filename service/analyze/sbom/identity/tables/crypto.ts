import type { IdentityRow } from '../identity-row.js';

// TLS and crypto libraries. Package names: Debian (libssl3, libssl3t64 after the 2024 time_t transition),
// OpenWrt (libopenssl3, openssl-util, libmbedtls12, libwolfssl5.6.4.e624513f), Alpine (libcrypto3, libssl3).
export const CRYPTO_ROWS: readonly IdentityRow[] = [
  {
    name: 'openssl',
    kind: 'library',
    cpe: [['openssl', 'openssl']],
    packages: [
      'openssl', 'libssl3', 'libssl3t64', 'libssl1.1', 'libssl1.0.0', 'libssl1.0.2', 'libcrypto1.1', 'libcrypto3',
      'libcrypto1.0', 'libssl1.0', 'libopenssl', 'libopenssl1.0.0', 'libopenssl1.1', 'libopenssl3', 'openssl-util',
      'libopenssl-conf', 'openssl-bin',
    ],
  },
  { name: 'wolfssl', kind: 'library', cpe: [['wolfssl', 'wolfssl']], packages: ['wolfssl', 'libwolfssl'], packagePatterns: [/^libwolfssl\d/] },
  {
    name: 'mbedtls',
    kind: 'library',
    cpe: [['arm', 'mbed_tls']],
    packages: ['mbedtls', 'libmbedtls', 'libmbedcrypto', 'libmbedx509'],
    packagePatterns: [/^libmbed(tls|crypto|x509)-?\d+(t64)?$/],
  },
  { name: 'gnutls', kind: 'library', cpe: [['gnu', 'gnutls']], packages: ['gnutls', 'libgnutls'], packagePatterns: [/^libgnutls\d+(t64)?$/] },
  { name: 'libgcrypt', kind: 'library', cpe: [['gnupg', 'libgcrypt']], packages: ['libgcrypt', 'libgcrypt20'] },
];
