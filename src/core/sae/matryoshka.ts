// Matryoshka BatchTopK's nested widths (SAELens's matryoshka_widths): defaults and validation, without tfjs so the
// training form, the CLI and the trainer share one rule.

/** The metadata key (in cfg.json) recording a Matryoshka SAE's nested widths; SAELens itself saves them nowhere. */
export const MATRYOSHKA_WIDTHS_METADATA_KEY = 'monoscope_matryoshka_widths'

/** The widths a loaded SAE's cfg.json records (valid for its d_sae), or null for any other SAE. */
export function matryoshkaWidthsOf(metadataExtra: Record<string, unknown>, dSae: number): number[] | null {
  const widths = metadataExtra[MATRYOSHKA_WIDTHS_METADATA_KEY]
  return matryoshkaWidthsProblem(widths, dSae) === null ? (widths as number[]) : null
}

/** Which nested level latent `index` first belongs to: level 1 is the first prefix [0, widths[0]). */
export function matryoshkaLevelOf(index: number, widths: readonly number[]): { level: number; levels: number; start: number; end: number } {
  const i = widths.findIndex((w) => index < w)
  if (i < 0) throw new RangeError(`Latent ${index} is outside the last matryoshka width ${widths.at(-1)}`)
  return { level: i + 1, levels: widths.length, start: i === 0 ? 0 : widths[i - 1]!, end: widths[i]! }
}

/**
 * d_sae/32, d_sae/8, d_sae/4, d_sae (128, 512, 1024, 4096 for 4096): a small first level forced to carry the most
 * general features, then coarse-to-fine levels growing about 4× (Bussmann et al. nest levels a few times apart).
 */
export function defaultMatryoshkaWidths(dSae: number): number[] {
  const widths = [Math.floor(dSae / 32), Math.floor(dSae / 8), Math.floor(dSae / 4), dSae].filter((w) => w >= 1)
  return widths.filter((w, i) => i === 0 || w > widths[i - 1]!)
}

/** Why `widths` are not a valid list for a d_sae-latent SAE (null when they are): integers ≥ 1, strictly ascending, the last = d_sae. */
export function matryoshkaWidthsProblem(widths: unknown, dSae: number): string | null {
  if (!Array.isArray(widths) || widths.length === 0) return `matryoshka widths must be a non-empty list ending at d_sae (${dSae})`
  const list = `[${widths.join(', ')}]`
  if (!widths.every((w) => typeof w === 'number' && Number.isSafeInteger(w) && w >= 1)) return `matryoshka widths must be positive integers, got ${list}`
  if (!widths.every((w: number, i) => i === 0 || w > widths[i - 1])) return `matryoshka widths must be strictly ascending, got ${list}`
  if (widths.at(-1) !== dSae) return `the last matryoshka width must be d_sae (${dSae}), got ${list}`
  return null
}

/**
 * Widths typed as a comma list ("128, 512, 4096"), as the CLI flag and the training form take them; blank means
 * the default for d_sae. Returns the widths, or why they are not valid.
 */
export function parseMatryoshkaWidths(text: string, dSae: number): { widths: number[]; problem: null } | { widths: null; problem: string } {
  if (text.trim() === '') return { widths: defaultMatryoshkaWidths(dSae), problem: null }
  const widths = text.split(',').map((w) => (/^\s*\d+\s*$/.test(w) ? Number(w) : NaN))
  if (widths.some(Number.isNaN)) return { widths: null, problem: `matryoshka widths must be whole numbers separated by commas, got "${text}"` }
  const problem = matryoshkaWidthsProblem(widths, dSae)
  return problem ? { widths: null, problem } : { widths, problem: null }
}
