// Versioned chat prompts for explaining a feature with an LLM and scoring the explanation, after Bills et al. (2023,
// "Language models can explain neurons in language models") and Paulo et al. (2024, detection scoring).
import { pickIndices, type ActivationRecord } from '../records.ts'

/** Part of every cache key and stored explanation: change it whenever a prompt or a parsing rule changes. */
export const LLM_PROMPT_VERSION = 'bills-2023/v1'

/** Bills et al.'s scale: activations shown to (and predicted by) the LLM are integers 0–10, 10 at the feature's max. */
export const MAX_DISCRETE_ACTIVATION = 10

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant'
  content: string
}

/** The tokens of a record without its activations: all the simulator and the detector may see. */
export type TokenRecord = Pick<ActivationRecord, 'tokens'>

/**
 * Activations as integers 0–10 relative to `maxAct`, floored as Bills et al. do, so only maxAct itself reads 10.
 * A feature that never fired (maxAct ≤ 0) and non-finite values read 0.
 */
export function discretise(activations: readonly number[], maxAct: number): number[] {
  if (!(maxAct > 0) || !Number.isFinite(maxAct)) return activations.map(() => 0)
  return activations.map((a) => (Number.isFinite(a) ? Math.max(0, Math.min(MAX_DISCRETE_ACTIVATION, Math.floor((MAX_DISCRETE_ACTIVATION * a) / maxAct))) : 0))
}

/** A token as one line's first field: tabs and line breaks would break the `token<TAB>activation` format. */
export const showToken = (token: string): string => token.replace(/\t/g, '\\t').replace(/\r/g, '\\r').replace(/\n/g, '\\n')

/** One record in Bills et al.'s format: `<start>`, a `token<TAB>value` line per token, `<end>`. */
export function formatRecord(tokens: readonly string[], values: readonly (number | 'unknown')[]): string {
  return ['<start>', ...tokens.map((t, i) => `${showToken(t)}\t${values[i] ?? 'unknown'}`), '<end>'].join('\n')
}

const NEURON_INTRO = "We're studying neurons in a neural network. Each neuron looks for some particular thing in a short document."
const EXPLANATION_LEAD = 'Explanation of neuron 1 behavior: the main thing this neuron does is find'

const EXPLAIN_SYSTEM = `${NEURON_INTRO} Look at the parts of the document the neuron activates for and summarize in a single sentence what the neuron is looking for. Don't list examples of words.

The activation format is token<tab>activation. Activation values range from 0 to 10. A neuron finding what it's looking for is represented by a non-zero activation value. The higher the activation value, the stronger the match.

Reply with only the words that complete the last sentence of the message, on one line.`

/** The explainer's prompt: every record in full, then (as Bills et al. do) only its non-zero tokens, then the lead-in. */
export function explainMessages(records: readonly ActivationRecord[], maxAct: number): ChatMessage[] {
  const discrete = records.map((r) => discretise(r.activations, maxAct))
  const full = records.map((r, i) => formatRecord(r.tokens, discrete[i]!))
  const nonZero = records.flatMap((r, i) => {
    const keep = r.tokens.map((_, t) => t).filter((t) => discrete[i]![t]! > 0)
    return keep.length ? [formatRecord(keep.map((t) => r.tokens[t]!), keep.map((t) => discrete[i]![t]!))] : []
  })
  const user = `Neuron 1\nActivations:\n${full.join('\n')}\n\nSame activations, but with all zeros filtered out:\n${nonZero.join('\n')}\n\n${EXPLANATION_LEAD}`
  return [
    { role: 'system', content: EXPLAIN_SYSTEM },
    { role: 'user', content: user },
  ]
}

const SIMULATE_SYSTEM = `${NEURON_INTRO} Look at an explanation of what the neuron does, and try to predict its activations on each token.

The activation format is token<tab>activation, activations go from 0 to 10, "unknown" indicates an unknown activation. Most activations will be 0.

Reply with every record: keep the <start> and <end> lines and every token exactly as given, one per line, and replace "unknown" with your predicted activation, an integer from 0 to 10.`

/** The simulator's prompt: the explanation, then every record with "unknown" activations, predicted "all at once". */
export function simulateMessages(explanation: string, records: readonly TokenRecord[]): ChatMessage[] {
  const body = records.map((r) => formatRecord(r.tokens, r.tokens.map(() => 'unknown'))).join('\n')
  return [
    { role: 'system', content: SIMULATE_SYSTEM },
    { role: 'user', content: `Neuron 1\n${EXPLANATION_LEAD} ${explanation}.\n\nActivations:\n${body}` },
  ]
}

const DETECT_SYSTEM = `You are an intelligent and meticulous linguistics researcher. You will be given an explanation of a feature of text, such as "male pronouns" or "text with negative sentiment", and several numbered text examples. Decide which examples contain the feature.

Reply with the numbers of the examples that contain the feature as a list, for example [2, 5], or [] if none do.`

/** Seed salt so the shown order is not tied to the same feature's choice of random records (also seeded by its index). */
const DETECT_ORDER_SALT = 0x9e37

/**
 * The detector's prompt: the records as plain text, numbered from 1 in a shuffled order fixed by `seed` (the
 * feature's index), so activating records are not all first. `order[k]` is the record shown as number k + 1.
 */
export function detectMessages(explanation: string, records: readonly TokenRecord[], seed: number): { messages: ChatMessage[]; order: number[] } {
  const order = pickIndices(records.length, records.length, seed ^ DETECT_ORDER_SALT)
  const examples = order.map((r, k) => `Example ${k + 1}: ${records[r]!.tokens.map(showToken).join('')}`).join('\n')
  return {
    messages: [
      { role: 'system', content: DETECT_SYSTEM },
      { role: 'user', content: `Feature explanation: ${explanation}\n\nExamples:\n${examples}` },
    ],
    order,
  }
}
