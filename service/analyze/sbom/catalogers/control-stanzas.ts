// The RFC 822-like "control" format shared by dpkg's status file, opkg's status file and *.control files:
// "Field: value" lines, continuation lines starting with a space or tab, stanzas separated by blank lines.
// Decoded as latin1 so that a character offset is the byte offset the evidence reports.

export interface Stanza {
  /** Field values by lower-case field name (continuations joined with "\n"). */
  fields: Map<string, string>;
  /** The raw first line of each field ("Version: 1.36.1-1"), for evidence. */
  lines: Map<string, string>;
  /** Byte offset of the stanza's first line in the file. */
  offset: number;
}

const FIELD = /^([A-Za-z0-9][A-Za-z0-9_.-]*):[ \t]*(.*)$/;

export function parseStanzas(data: Buffer): Stanza[] {
  const text = data.toString('latin1');
  const stanzas: Stanza[] = [];
  let current: Stanza | undefined;
  let lastKey: string | undefined;
  let pos = 0;
  while (pos <= text.length) {
    let end = text.indexOf('\n', pos);
    if (end < 0) end = text.length;
    const line = text.slice(pos, end).replace(/\r$/, '');
    const lineOffset = pos;
    pos = end + 1;
    if (line.trim() === '') {
      current = undefined;
      lastKey = undefined;
      continue;
    }
    if ((line.startsWith(' ') || line.startsWith('\t')) && current && lastKey) {
      current.fields.set(lastKey, `${current.fields.get(lastKey) ?? ''}\n${line.trim()}`);
      continue;
    }
    const m = FIELD.exec(line);
    if (!m) continue;
    if (!current) {
      current = { fields: new Map(), lines: new Map(), offset: lineOffset };
      stanzas.push(current);
    }
    lastKey = (m[1] as string).toLowerCase();
    current.fields.set(lastKey, (m[2] as string).trim());
    current.lines.set(lastKey, line.trim());
  }
  return stanzas;
}

/** A package name or version as package managers write them: no spaces, no control characters. */
export function isToken(s: string | undefined): s is string {
  return typeof s === 'string' && /^[\x21-\x7e]{1,256}$/.test(s);
}

/** "Package: busybox | Version: 1.36.1-1": the lines of a stanza that identify the package. */
export function evidenceLine(stanza: Stanza, keys: readonly string[]): string {
  return keys.flatMap((k) => stanza.lines.get(k) ?? []).join(' | ');
}

/** Regular files, and symlinks (the filesystem view follows them inside the image). */
export function isFileLike(type: string): boolean {
  return type === 'file' || type === 'symlink';
}

/** Package databases larger than this are not real ones (Debian's full status is a few MB). */
export const MAX_DATABASE_BYTES = 64 * 1024 * 1024;
