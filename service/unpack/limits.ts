// Budgets that keep a hostile image (zip/gzip bombs, deep nesting, millions of tiny entries) from taking the
// box down: hitting one is an FW_ERR_UNPACK_LIMIT entry in the report, never a crash.
export interface UnpackLimits {
  /** Containers nested deeper than this are reported, not opened (the image itself is depth 0). */
  maxDepth: number;
  /** Bytes produced by decompression plus bytes of extracted trees, over the whole image. */
  maxTotalBytes: number;
  /**
   * Largest expansion ratio (output / input) of one container: a decompressed stream, or the bytes a tree
   * declares against the size of its chunk. Outputs under 1 MiB are never cut by it (padding compresses well).
   */
  maxRatio: number;
  /** Entries (of any type) over all extracted trees. */
  maxFiles: number;
  /** A decompressed stream payload held in memory beyond this is cut short (limit error). Optional: config omits it. */
  maxPayloadInMemory?: number;
}

export const DEFAULT_UNPACK_LIMITS: Readonly<Required<UnpackLimits>> = Object.freeze({
  maxDepth: 8,
  maxTotalBytes: 2 * 1024 ** 3,
  maxRatio: 200,
  maxFiles: 200_000,
  maxPayloadInMemory: 256 * 1024 ** 2,
});

/** Below this output size the ratio limit does not apply (a zero-filled partition legitimately compresses 1000:1). */
export const RATIO_FLOOR_BYTES = 1024 ** 2;
