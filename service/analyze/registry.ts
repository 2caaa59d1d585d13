import type { Analyzer } from './analyzer.js';
import { encryptedImage } from './encrypted-image.js';
import { sbomAnalyzer } from './sbom/sbom-analyzer.js';

/**
 * Every analyzer the pipeline runs, listed explicitly (no directory scanning). Order here does not matter:
 * the pipeline orders by dependsOn.
 */
export const ANALYZERS: readonly Analyzer[] = [encryptedImage, sbomAnalyzer];
