// KEY=value lines as os-release(5) and /etc/openwrt_release write them: values bare, "double-quoted" (with
// backslash escapes) or 'single-quoted'; '#' comments and anything else ignored.

export interface Assignment {
  value: string;
  /** The raw line, for evidence. */
  line: string;
  /** Byte offset of the line (latin1 decoding keeps offsets in bytes). */
  offset: number;
}

export function parseShellAssignments(data: Buffer): Map<string, Assignment> {
  const text = data.toString('latin1');
  const out = new Map<string, Assignment>();
  let pos = 0;
  for (const raw of text.split('\n')) {
    const offset = pos;
    pos += raw.length + 1;
    const line = raw.replace(/\r$/, '').trim();
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (!m) continue;
    out.set(m[1] as string, { value: unquote(m[2] as string), line, offset });
  }
  return out;
}

function unquote(v: string): string {
  if (v.length >= 2 && v.startsWith('"') && v.endsWith('"')) return v.slice(1, -1).replace(/\\(["\\$`])/g, '$1');
  if (v.length >= 2 && v.startsWith("'") && v.endsWith("'")) return v.slice(1, -1);
  return v.replace(/\s+#.*$/, '');
}

/** A release version worth a component: printable, short, starting with a digit ("23.05.0", "12", "2023.02.1"). */
export function isReleaseVersion(v: string | undefined): v is string {
  return typeof v === 'string' && /^\d[\x21-\x7e]{0,63}$/.test(v);
}
