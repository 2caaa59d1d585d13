import { describe, expect, it } from 'vitest';
import { REDACTED, redactSecrets } from '../../service/api/redact.js';

describe('redactSecrets', () => {
  it('replaces the value of every secret-named key, at any depth and inside arrays', () => {
    const input = {
      sha256: 'ab'.repeat(32),
      fileName: 'fw.bin',
      account: { username: 'root', password: 'x', passwordHash: '$6$salt$abc', pass: 'y' },
      devices: [{ address: '10.0.0.5', snmpCommunity: 'public' }, { apiToken: 't', Secret: 's' }],
      keys: { private_key: '-----BEGIN', privateKey: 'k', 'private-key': 'k', publicKey: 'ok' },
      credentials: ['a', 'b'],
      hash: 'h',
    };
    expect(redactSecrets(input)).toEqual({
      sha256: 'ab'.repeat(32),
      fileName: 'fw.bin',
      account: { username: 'root', password: REDACTED, passwordHash: REDACTED, pass: REDACTED },
      devices: [{ address: '10.0.0.5', snmpCommunity: REDACTED }, { apiToken: REDACTED, Secret: REDACTED }],
      keys: { private_key: REDACTED, privateKey: REDACTED, 'private-key': REDACTED, publicKey: 'ok' },
      credentials: REDACTED,
      hash: REDACTED,
    });
  });

  it('redacts whole subtrees under a secret key, whatever their type', () => {
    expect(redactSecrets({ secret: { nested: 1 }, token: null, password: 0 })).toEqual({
      secret: REDACTED,
      token: REDACTED,
      password: REDACTED,
    });
  });

  it('does not modify its input', () => {
    const input = { a: { password: 'x' } };
    redactSecrets(input);
    expect(input.a.password).toBe('x');
  });

  it('passes primitives through and redacts what objects serialize to', () => {
    expect(redactSecrets('password')).toBe('password');
    expect(redactSecrets(42)).toBe(42);
    expect(redactSecrets(null)).toBeNull();
    expect(redactSecrets(undefined)).toBeUndefined();
    const at = new Date('2026-01-01T00:00:00.000Z');
    expect(redactSecrets({ at })).toEqual({ at: '2026-01-01T00:00:00.000Z' });
    const custom = { toJSON: () => ({ token: 'x', ok: 1 }) };
    expect(redactSecrets({ custom })).toEqual({ custom: { token: REDACTED, ok: 1 } });
  });

  it('survives cycles and very deep values instead of overflowing the stack', () => {
    const a: Record<string, unknown> = { name: 'a' };
    a['self'] = a;
    expect(redactSecrets(a)).toEqual({ name: 'a', self: '[circular]' });

    let deep: Record<string, unknown> = { password: 'x' };
    for (let i = 0; i < 10_000; i++) deep = { next: deep };
    expect(() => JSON.stringify(redactSecrets(deep))).not.toThrow();
  });

  it('keeps a value shared by two siblings (not a cycle)', () => {
    const shared = { n: 1 };
    expect(redactSecrets({ a: shared, b: shared })).toEqual({ a: { n: 1 }, b: { n: 1 } });
  });
});
