// CPE 2.3 formatted-string binding (NISTIR 7695, section 6.2). A value keeps letters, digits, '_', '-' and
// '.' as they are and backslash-quotes every other printable character, so "2:1.2" becomes "2\:1.2" and a
// literal '*' can never turn into a wildcard. CPE matching is case-insensitive; NVD writes lower case.

export type CpePart = 'a' | 'o' | 'h';

export interface CpeName {
  part: CpePart;
  vendor: string;
  product: string;
  version: string;
  update?: string;
}

const PLAIN = /[a-z0-9_.-]/;

/** One attribute value in formatted-string form; "" or undefined is ANY ("*"). */
export function cpeValue(raw: string | undefined): string {
  if (raw === undefined || raw === '' || raw === '*') return '*';
  if (raw === '-') return '-';
  let out = '';
  for (const ch of raw.trim().toLowerCase().replace(/\s+/g, '_')) {
    out += PLAIN.test(ch) ? ch : `\\${ch}`;
  }
  return out;
}

export function formatCpe23(c: CpeName): string {
  const fields = [c.part, cpeValue(c.vendor), cpeValue(c.product), cpeValue(c.version), cpeValue(c.update)];
  return `cpe:2.3:${fields.join(':')}:*:*:*:*:*:*`;
}

/**
 * The formatted-string pattern of the CPE 2.3 dictionary schema (cpe-dictionary_2.3.xsd, "cpe23Type"), used
 * by tests and by anyone who wants to check a CPE from elsewhere.
 */
export const CPE23_PATTERN =
  /^cpe:2\.3:[aho*-](:(((\?*|\*?)([a-zA-Z0-9\-._]|(\\[\\*?!"#$%&'()+,/:;<=>@[\]^`{|}~]))+(\?*|\*?))|[*-])){5}(:(([a-zA-Z]{2,3}(-([a-zA-Z]{2}|[0-9]{3}))?)|[*-]))(:(((\?*|\*?)([a-zA-Z0-9\-._]|(\\[\\*?!"#$%&'()+,/:;<=>@[\]^`{|}~]))+(\?*|\*?))|[*-])){4}$/;
