// Defence in depth for the websocket feed: bus payloads must never carry secrets (bus.ts), but a mistake in a
// publisher must not put a password hash or an SNMP community on an operator's screen. Over-redaction
// ("bypassed" matches /pass/) is the accepted price.
const SECRET_KEY = /pass(word)?|secret|hash|private.?key|community|credential|token/i;
export const REDACTED = '[redacted]';
const MAX_DEPTH = 32;

/** A deep copy of `value` in which the value of every key that names a secret is replaced by "[redacted]". */
export function redactSecrets(value: unknown): unknown {
  return walk(value, 0, new WeakSet());
}

function walk(value: unknown, depth: number, ancestors: WeakSet<object>): unknown {
  if (value === null || typeof value !== 'object') return value;
  // Dates, Buffers ... redact what they serialize to, which is what the client would see.
  const json = (value as { toJSON?: () => unknown }).toJSON;
  if (typeof json === 'function') return walk(json.call(value), depth + 1, ancestors);
  if (ancestors.has(value)) return '[circular]';
  if (depth >= MAX_DEPTH) return '[truncated]';
  ancestors.add(value);
  try {
    if (Array.isArray(value)) return value.map((v) => walk(v, depth + 1, ancestors));
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) {
      out[key] = SECRET_KEY.test(key) ? REDACTED : walk(v, depth + 1, ancestors);
    }
    return out;
  } finally {
    ancestors.delete(value);
  }
}
