// The shape of a binary classifier row (DESIGN.md "Units of extension": a table row with the real string it
// matches). Rows are data: binary-scan.ts compiles every row's anchor into one automaton, reads each file
// once, and only then looks at the few rows whose anchor was seen.
import type { FoundBy } from '../detection.js';

/** Every ELF file, whatever its name: libraries are linked statically into vendor binaries ("/bin/cfm"). */
export const ANY_ELF = ['**'] as const;

export interface ClassifierRow {
  /** Stable id; the detection's source is "classifier:<id>". */
  id: string;
  /** Canonical lower-case component name. */
  component: string;
  /** Path globs (absolute, "**" crosses directories) of the files this row looks in. */
  fileGlobs: readonly string[];
  /** Literal bytes (latin1) every match contains; the one-pass automaton looks for these only. */
  anchor: string;
  /**
   * Run over the bytes around an anchor hit (latin1 text); a match must cover the anchor. The version is the
   * first defined named group whose name starts with "version". Anchored tightly: a bare "1.2.3" is never
   * enough, the surrounding literal text or NUL separators are part of the pattern.
   */
  pattern: RegExp;
  /** Bytes looked at before / after the anchor (default 64 / 160). */
  before?: number;
  after?: number;
  /** Rejects the hit when one of these matches the same window (text that only mentions the component). */
  notIf?: readonly RegExp[];
  /** Builds the version from several named groups ("perl 5, version 36, subversion 0" -> 5.36.0). */
  fromGroups?: (groups: Record<string, string | undefined>) => string | undefined;
  /** Raw version -> canonical ("v1.19.2" -> "1.19.2" is done for every row). */
  normalize?: (raw: string) => string;
  /** Also look in files that are not ELF (bootloader and kernel images, firmware parts). */
  rawImages?: boolean;
  foundBy?: Extract<FoundBy, 'binary-string' | 'kernel'>;
  /**
   * Ignore hits in files that link this library dynamically (its soname is in the file, as DT_NEEDED): there the
   * string is the version the program was built against (hostapd prints it), and the library that is really
   * loaded is scanned on its own. `ownFiles` are the library's own files, which name themselves.
   */
  linkedLibrary?: { soname: string; ownFiles: readonly string[] };
  /** At most this many files per version over one scan (default 8; every module carries the vermagic). */
  maxPerVersion?: number;
}

/** A version read from a path alone ("/lib/libuClibc-0.9.33.2.so", "/lib/modules/2.6.36/"). */
export interface FileNameRow {
  id: string;
  component: string;
  /** Tested against the absolute path; the version is the named group "version". */
  path: RegExp;
  /** Only when this holds for the version ("uclibc" below 1.0, "uclibc-ng" from 1.0). */
  accept?: (version: string) => boolean;
  normalize?: (raw: string) => string;
  foundBy?: Extract<FoundBy, 'file-name' | 'kernel'>;
  /** At most this many detections per version over one scan (every module under /lib/modules/x/ is one hit). */
  maxPerVersion?: number;
}

/** "1.0.2k-fips" -> "1.0.2k": build suffixes that vendors append and that no CVE range knows. */
export function stripBuildSuffix(v: string): string {
  return v.replace(/[-+~](?:fips|dev|debian|ubuntu|git|svn|rc-?\d*|\w*snapshot).*$/i, '');
}

/** "2.6.31--LSDK-9.2.0.312", "6.1.0-28-arm64", "3.10.14+" -> the kernel.org release x.y[.z]. */
export function kernelRelease(v: string): string {
  const m = /^\d+\.\d+(?:\.\d+)?/.exec(v);
  return m ? m[0] : v;
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * A version that the compiler stored as its own NUL-terminated string right beside a literal of the same
 * source file (`"2.0.11\0\0mosquitto version %s\n"`): accepted only as a whole string (no printable byte
 * before it) directly before the string that starts with `anchor`, or directly after the string that contains
 * it, with nothing but NUL padding between.
 */
export function besideString(anchor: string, version: string): RegExp {
  const a = escapeRe(anchor);
  // An anchor that ends a string is followed by padding only; otherwise the rest of its string comes first.
  const rest = anchor.endsWith('\0') ? '\\x00*' : '[^\\x00]*\\x00+';
  return new RegExp(`(?<![\\x20-\\x7e])(?<version>${version})\\x00+${a}|${a}${rest}(?<version_after>${version})\\x00`);
}

/** Version fragments used by the rows. */
export const V3 = '\\d+\\.\\d+\\.\\d+';
export const V23 = '\\d+\\.\\d+(?:\\.\\d+)?';
