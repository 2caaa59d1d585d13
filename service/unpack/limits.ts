// Budgets that keep a hostile image (zip/gzip bombs, deep nesting, millions of tiny entries) from taking the
// box down: hitting one is an FW_ERR_UNPACK_LIMIT entry in the report, never a crash.
export interface UnpackLimits {
  /** Containers nested deeper than this are reported, not opened (the image itself is depth 0). */
  maxDepth: number;
  /** Bytes produced by decompression plus bytes of extracted trees, over the whole image. */
  maxTotalBytes: number;
  /** Bytes produced may not exceed maxRatio times the image size (whole-image expansion ratio). */
  maxRatio: number;
  /** Entries (of any type) over all extracted trees. */
  maxFiles: number;
  /** A decompressed stream payload held in memory beyond this is spilled to workDir, or cut short. */
  maxPayloadInMemory: number;
}

export const DEFAULT_UNPACK_LIMITS: Readonly<UnpackLimits> = Object.freeze({
  maxDepth: 8,
  maxTotalBytes: 2 * 1024 ** 3,
  maxRatio: 200,
  maxFiles: 200_000,
  maxPayloadInMemory: 256 * 1024 ** 2,
});
