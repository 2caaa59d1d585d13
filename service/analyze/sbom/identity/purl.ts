// Package URLs per the purl spec (github.com/package-url/purl-spec, PURL-SPECIFICATION.rst):
// pkg:type/namespace/name@version?qualifiers#subpath. Each part is percent-encoded except the unreserved
// characters; ':' is left as is, as the reference implementations do (so a Debian epoch reads "1:1.2.13").

export interface PurlParts {
  type: string;
  namespace?: string | undefined;
  name: string;
  version?: string | undefined;
  /** Keys are lower-cased and sorted; empty values are dropped (the spec says so). */
  qualifiers?: Record<string, string | undefined> | undefined;
  subpath?: string | undefined;
}

/** RFC 3986 unreserved characters plus ':', which purl allows unencoded everywhere. */
const SAFE = /[A-Za-z0-9._~:-]/;

export function purlEncode(s: string): string {
  let out = '';
  for (const ch of s) {
    if (SAFE.test(ch)) {
      out += ch;
      continue;
    }
    for (const byte of Buffer.from(ch, 'utf8')) out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

export function formatPurl(p: PurlParts): string {
  const type = p.type.toLowerCase();
  if (!/^[a-z][a-z0-9.+-]*$/.test(type)) throw new Error(`invalid purl type "${p.type}"`);
  if (!p.name) throw new Error('a purl needs a name');
  let s = `pkg:${type}/`;
  const segments = (p.namespace ?? '').split('/').filter((seg) => seg !== '');
  if (segments.length) s += `${segments.map(purlEncode).join('/')}/`;
  s += purlEncode(p.name);
  if (p.version) s += `@${purlEncode(p.version)}`;
  const qualifiers = Object.entries(p.qualifiers ?? {})
    .filter((e): e is [string, string] => typeof e[1] === 'string' && e[1] !== '')
    .map(([k, v]) => [k.toLowerCase(), v] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (qualifiers.length) s += `?${qualifiers.map(([k, v]) => `${k}=${purlEncode(v)}`).join('&')}`;
  const sub = (p.subpath ?? '').split('/').filter((seg) => seg !== '' && seg !== '.' && seg !== '..');
  if (sub.length) s += `#${sub.map(purlEncode).join('/')}`;
  return s;
}
