/** What kind of thing a component is; the CycloneDX component types we use (SPDX purposes map from these). */
export type ComponentKind = 'application' | 'library' | 'operating-system' | 'firmware';

/**
 * One component's identity, as data (DESIGN.md "component classifier: a table row"). Vendor and product are
 * NVD's spelling, checked against NVD's CPE dictionary; several pairs when NVD files one code base under
 * several products (curl and libcurl).
 */
export interface IdentityRow {
  /** Canonical lower-case name: the key every detection and every classifier uses. */
  name: string;
  kind: ComponentKind;
  /** 'a' (application) unless NVD files it as an operating system ('o'). */
  part?: 'a' | 'o';
  cpe: ReadonlyArray<readonly [vendor: string, product: string]>;
  /** Binary package names in Debian, OpenWrt, Alpine, Yocto and Buildroot databases that are this component. */
  packages?: readonly string[];
  /** Package names that carry a version or ABI in the name (linux-image-6.1.0-18-amd64, libwolfssl5.6.4...). */
  packagePatterns?: readonly RegExp[];
  /** purl of a component found without a package manager: pkg:generic/<name> unless given; null for none. */
  purl?: { type: string; namespace?: string; name?: string } | null;
}
