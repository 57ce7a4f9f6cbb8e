// The committed TinyWorld SAEs: what `monoscope build-world-saes` trains, on which data, with which settings.
// Changing a line here and re-running the command rebuilds public/saes/tinyworld from scratch.
import { hookName } from '../core/model/hookNames.ts'

/** The middle of TinyWorld's four layers: past the token-level blocks, before the unembedding's specialisation. */
export const WORLD_SAE_HOOK = hookName.residPost(2)

/** Activations for every SAE: one harvest of TinyWorld's stream (data seed 0, the model's training stream). */
export const WORLD_SAE_DATA = { dataSeed: 0, rows: 3_000_000 }

export interface WorldSaeSpec {
  /** Folder name under public/saes/tinyworld/<hook>/, and the last part of the SAE's id. */
  name: string
  architecture: 'standard' | 'topk' | 'matryoshka_batchtopk'
  dSae: number
  /** standard: λ of the sparsity penalty; topk, matryoshka_batchtopk: k. */
  l1?: number
  k?: number
  /** matryoshka_batchtopk: the nested prefixes that each reconstruct the input (the last is dSae). */
  matryoshkaWidths?: number[]
  steps: number
  batch: number
  lr: number
  seed: number
}

export const WORLD_SAE_SPECS: readonly WorldSaeSpec[] = [
  { name: 'standard-1024', architecture: 'standard', dSae: 1024, l1: 3, steps: 3000, batch: 1024, lr: 1e-3, seed: 1 },
  { name: 'standard-2048', architecture: 'standard', dSae: 2048, l1: 3, steps: 3000, batch: 1024, lr: 1e-3, seed: 2 },
  { name: 'standard-4096', architecture: 'standard', dSae: 4096, l1: 3, steps: 3000, batch: 1024, lr: 1e-3, seed: 3 },
  { name: 'topk-4096', architecture: 'topk', dSae: 4096, k: 16, steps: 3000, batch: 1024, lr: 1e-3, seed: 4 },
  // Matryoshka at standard-1024's size and budget: its first level (64) has room for one latent per planted concept
  // (58), the level where a hierarchy-aware SAE should put parents.
  { name: 'matryoshka-1024', architecture: 'matryoshka_batchtopk', dSae: 1024, k: 16, matryoshkaWidths: [64, 256, 512, 1024], steps: 3000, batch: 1024, lr: 1e-3, seed: 5 },
  // Matryoshka BatchTopK (Bussmann et al. 2025) at topk-4096's size, k and budget, so the two compare directly: the
  // first 128 latents must reconstruct alone (the most general features), then 512, 1024 and all 4096.
  { name: 'matryoshka-4096', architecture: 'matryoshka_batchtopk', dSae: 4096, k: 16, matryoshkaWidths: [128, 512, 1024, 4096], steps: 3000, batch: 1024, lr: 1e-3, seed: 6 },
]
