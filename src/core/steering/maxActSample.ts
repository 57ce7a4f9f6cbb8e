// The token sample that "N× max activation" is measured on when no dashboard gives the maximum: TinyWorld's labelled
// documents from a fixed seed, the same sample (seed and size) that `monoscope analyze` uses by default, so that a
// measured max equals the dashboards' `max_act` whenever those were computed with the defaults.
import { documentWindows } from '../sae/activationStore.ts'
import type { Sae } from '../sae/sae.ts'
import { sampleLabelled } from '../world/generator.ts'

export const MAX_ACT_SAMPLE_SEED = 424_242
/** 20k tokens: every TinyWorld concept occurs (the rarest ~1e-3), and the pass takes seconds on tfjs-wasm. */
export const MAX_ACT_SAMPLE_TOKENS = 20_000

export interface MaxActSample {
  windows: number[][]
  skipFirst: boolean
  description: string
}

/** BOS + one whole document per window (documents are ≤ 200 tokens), as in the SAE's training and the dashboards. */
export function tinyWorldMaxActSample(
  model: { nCtx: number; bosTokenId: number | null },
  sae: Sae,
  opts: { seed?: number; tokens?: number } = {},
): MaxActSample {
  const seed = opts.seed ?? MAX_ACT_SAMPLE_SEED
  const tokens = opts.tokens ?? MAX_ACT_SAMPLE_TOKENS
  const contextSize = Math.min(model.nCtx, sae.config.metadata.contextSize ?? model.nCtx)
  const docs = sampleLabelled(seed, tokens)
  return {
    windows: documentWindows(docs.map((d) => d.ids), { contextSize, bosTokenId: model.bosTokenId }),
    skipFirst: model.bosTokenId !== null,
    description: `tinyworld:labelled:seed=${seed}:tokens=${tokens}`,
  }
}
