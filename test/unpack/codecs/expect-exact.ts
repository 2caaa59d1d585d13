// The assertion every round-trip test makes.
import { expect } from 'vitest';
import type { DecodeResult } from '../../../service/unpack/codecs/codec.js';

/** Asserts a full, exact decode: same bytes, the whole input consumed, no flags. */
export function expectExact(r: DecodeResult, original: Buffer, compressedLength: number, what: string): void {
  expect(r.truncated, `${what}: truncated`).toBe(false);
  expect(r.limited, `${what}: limited`).toBe(false);
  expect(r.data.length, `${what}: length`).toBe(original.length);
  expect(r.data.equals(original), `${what}: bytes`).toBe(true);
  expect(r.consumed, `${what}: consumed`).toBe(compressedLength);
}
