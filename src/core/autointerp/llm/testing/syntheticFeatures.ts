// Features with known answers for LLM-explainer tests: feature i fires on one word only (WORDS[i]), so the right
// explanation names that word, and the stand-in server's simulation of it is perfect.
import type { ActivationRecord, FeatureRecords } from '../../records.ts'
import type { LlmFeatureInput } from '../llmExplainer.ts'

export const WORDS = ['bridge', 'castle', 'river', 'falcon', 'lantern', 'meadow', 'harbor', 'violin', 'glacier', 'pepper'] as const

const FILLER = [' the', ' old', ' man', ' walked', ' past', ' a', ' small', ' house', ' near', ' town']

/** A GPT-2-style record (leading spaces): `word` at position `at` with activation `value`, zeros elsewhere. */
function record(seed: number, word: string | null, at: number, value: number): ActivationRecord {
  const tokens = Array.from({ length: 8 }, (_, i) => FILLER[(seed + i * 3) % FILLER.length]!)
  const activations = tokens.map(() => 0)
  if (word !== null) {
    tokens[at] = ` ${word}`
    activations[at] = value
  }
  return { tokens, activations }
}

export function syntheticFeature(index: number, maxAct = 4): LlmFeatureInput {
  const word = WORDS[index % WORDS.length]!
  const records: FeatureRecords = {
    explain: [0, 1, 2, 3].map((k) => record(index + k, word, 2 + (k % 4), maxAct * (1 - k * 0.2))),
    heldOutTop: [0, 1, 2].map((k) => record(index + k + 5, word, 1 + k, maxAct * (0.9 - k * 0.2))),
    random: [0, 1, 2, 3].map((k) => record(index + k + 11, null, 0, 0)),
    maxAct,
  }
  return { index, records }
}
