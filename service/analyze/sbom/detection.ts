import type { Evidence } from '../../report/report-types.js';
import type { FileSystemView, VfsNode } from '../../unpack/vfs.js';

/** How a component was found; kept in the report (`foundBy`) so a wrong version can be traced to its source. */
export type FoundBy = 'package-db' | 'release-file' | 'binary-string' | 'file-name' | 'kernel';

/**
 * Strongest first. A package manager's database says what was installed; a distribution's release file says
 * which release the image is; a kernel banner and a version string are read from the binary itself; a file
 * name is a hint. A merged component's `foundBy` is the strongest of its methods.
 */
export const FOUND_BY_STRENGTH: readonly FoundBy[] = ['package-db', 'release-file', 'kernel', 'binary-string', 'file-name'];

/**
 * One sighting of a component by one cataloger or classifier. The SBOM analyzer merges sightings of the same
 * (name, version) into one component with all their evidence; different versions stay separate components.
 */
export interface Detection {
  /** Canonical lower-case component name ("busybox", "openssl", "linux"): component-identity.ts. */
  name: string;
  version: string;
  foundBy: FoundBy;
  /** Which cataloger or classifier row produced it ("opkg-status", "classifier:busybox"). */
  source: string;
  evidence: Evidence;
  /**
   * Package-db facts, when known: they make a better purl (pkg:deb/debian/busybox@1.35.0-4?arch=mipsel).
   * `name` is the package's own name (libssl3) when it differs from the canonical one; a missing namespace is
   * filled from the filesystem's release file (debian, openwrt, alpine ...).
   */
  purl?: { type: string; namespace?: string; name?: string; qualifiers?: Record<string, string> };
  /**
   * CPE vendor/product the package itself declares (OpenWrt control files: "CPE-ID: cpe:/a:openssl:openssl"),
   * used beside the identity tables' own, so a package the tables do not know still gets its CPE.
   */
  declaredCpe?: Array<{ part: 'a' | 'o' | 'h'; vendor: string; product: string }>;
  /** Release-file detections only: the distribution this filesystem is, for the purls of its packages. */
  distro?: { id: string; versionId?: string };
}

/** Context a cataloger gets: the filesystem, the node it selected, and a way to stop early. */
export interface CatalogContext {
  fs: FileSystemView;
  signal: AbortSignal;
}

/** A package-database or file cataloger: declares the files it wants, never walks the tree itself. */
export interface Cataloger {
  readonly name: string;
  /** Cheap test on path/type; the analyzer walks each filesystem once and asks every cataloger. */
  select(node: VfsNode): boolean;
  catalog(node: VfsNode, ctx: CatalogContext): Promise<Detection[]>;
}

/**
 * A whole-filesystem detector (the binary classifiers: service/analyze/sbom/binary-scan.ts exports one as
 * `scanBinaries`). `nodes` is every node of `fs` in walk order, collected by the analyzer's single walk; the
 * detector picks the ones it wants and reads them through `fs`. It checks `ctx.signal` in long loops.
 */
export type BinaryScan = (fs: FileSystemView, nodes: readonly VfsNode[], ctx: CatalogContext) => Promise<Detection[]>;
