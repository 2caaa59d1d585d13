// The report contract (DESIGN.md "Report contract"). Field names here are fixed: tools rely on them.
// service/schemas/report.schema.json is the JSON Schema of the same shape; tests validate every report
// they produce against it, so a change here must change the schema too.

export interface ReportError {
  /** Stable code (errors.ts), e.g. FW_ERR_UNPACK_TRUNCATED. */
  code: string;
  /** Which stage or analyzer raised it ("extraction", "hardening" ...). */
  stage: string;
  message: string;
  /** Where in the image, when known: a path inside a root filesystem or a container chain. */
  path?: string;
  offset?: number;
}

export interface ChainLink {
  /** Handler name: "gzip", "tar", "squashfs" ... */
  format: string;
  /** Offset of this container inside its parent (the image for the first link). */
  offset: number;
  size: number;
  /** Path of the parent file inside the enclosing container, when the parent was a file ("/boot/uImage"). */
  path?: string;
}

export interface ExtractionSummary {
  chain: Array<ChainLink & { depth: number; children?: number }>;
  fileCount: number;
  rootFileSystems: Array<{ id: string; format: string; chain: ChainLink[]; fileCount: number; totalBytes: number }>;
  unknownRegions: Array<{ offset: number; size: number; entropy: number; chain: ChainLink[]; note?: string }>;
  errors: ReportError[];
}

export interface Evidence {
  path: string;
  match: string;
  offset?: number;
  /** The cataloger or classifier that read it ("dpkg-status", "classifier:busybox"). */
  source?: string;
  /** Id of the filesystem (extraction.rootFileSystems[].id) the path belongs to. */
  filesystem?: string;
  /** That filesystem's container chain, outermost first: where in the image the path is. */
  chain?: ChainLink[];
  /** SHA-256 of the whole file at path, when it was small enough to hash. */
  sha256?: string;
}

/** CycloneDX component types we emit (SPDX primaryPackagePurpose is derived from them). */
export type ComponentKind = 'application' | 'library' | 'operating-system' | 'firmware';

export interface Component {
  name: string;
  version: string;
  purl?: string;
  /** The first of `cpes`: CPE 2.3 at the upstream version (epoch and distro revision removed). */
  cpe?: string;
  /** Every CPE 2.3 name, when NVD files the component under more than one product (curl and libcurl). */
  cpes?: string[];
  kind?: ComponentKind;
  evidence: Evidence[];
  /** The strongest method that found it: package-db > release-file > kernel > binary-string > file-name. */
  foundBy?: string;
  /** Every method that found this same name and version, strongest first. */
  foundByAll?: string[];
}

export interface Vulnerability {
  id: string;
  componentName: string;
  componentVersion: string;
  severity: string;
  cvss: number | null;
  kev: boolean;
  epss: number | null;
}

export interface BinaryHardening {
  path: string;
  arch: string;
  bits: number;
  endian: 'little' | 'big';
  nx: boolean;
  pie: 'yes' | 'no' | 'dso';
  relro: 'full' | 'partial' | 'no';
  canary: boolean;
  stripped: boolean;
  fortify: boolean;
  rpath: string | null;
  runpath: string | null;
}

export type HashAlgorithm =
  | 'des' | 'bsdi' | 'md5crypt' | 'apr1' | 'sha256crypt' | 'sha512crypt' | 'bcrypt' | 'yescrypt' | 'scrypt'
  | 'none' | 'unknown';

export interface Account {
  username: string;
  path: string;
  algorithm: HashAlgorithm;
  locked: boolean;
  emptyPassword: boolean;
  weakPassword: boolean;
}

export interface Certificate {
  path: string;
  subject: string;
  issuer: string;
  notBefore: string;
  notAfter: string;
  expired: boolean;
  expiringSoon: boolean;
  selfSigned: boolean;
  weakSignature: boolean;
  signatureAlgorithm: string;
  keyAlgorithm: string;
  keyBits: number | null;
  shortKey: boolean;
  pairedKeyPath: string | null;
}

export interface Key {
  path: string;
  type: 'private' | 'public';
  algorithm: string;
  bits: number | null;
  encrypted: boolean;
  shortKey: boolean;
  pairedCertificatePath: string | null;
}

export type Severity = 'info' | 'low' | 'medium' | 'high' | 'critical';

export interface Finding {
  /** Stable per (kind, path, detail) so the same finding in a re-analysis keeps its id. */
  id: string;
  kind: string;
  severity: Severity;
  title: string;
  path: string | null;
  evidence: string;
}

export interface AnalyzerRun {
  name: string;
  version: string;
  status: 'ok' | 'failed' | 'timeout' | 'skipped';
  durationMs: number;
}

export interface Report {
  firmware: { sha256: string; size: number; fileName: string };
  extraction: ExtractionSummary;
  components: Component[];
  vulnerabilities: Vulnerability[];
  binaries: BinaryHardening[];
  accounts: Account[];
  certificates: Certificate[];
  keys: Key[];
  findings: Finding[];
  analysis: {
    version: string;
    startedAt: string;
    durationMs: number;
    analyzers: AnalyzerRun[];
    errors: ReportError[];
  };
}
