// Reading an LLM's replies to the prompts in prompts.ts. LLMs echo, quote, drop and garble lines, so every parser
// here states its rule for what it accepts and what a missing part counts as.
import { LlmReplyError } from '../../errors.ts'
import { MAX_DISCRETE_ACTIVATION, type TokenRecord } from './prompts.ts'

/** Longest stored explanation: a label for a feature list, not an essay (Bills et al.'s run to ~10 words). */
export const MAX_EXPLANATION_CHARS = 160

const ECHOED_LEAD = /^(explanation of neuron \d+ behavior:\s*)?(the main thing this neuron does is find\b\s*:?\s*)?/i
const QUOTE_PAIRS: Readonly<Record<string, string>> = { '"': '"', "'": "'", '`': '`', '“': '”', '‘': '’', '*': '*' }

/** Removes one pair of quotes around the whole text, but only when the opening quote appears nowhere else in it. */
function unwrapQuotes(text: string): string {
  const close = QUOTE_PAIRS[text[0] ?? '']
  if (close === undefined || text.length < 2 || !text.endsWith(close)) return text
  const inner = text.slice(1, -1)
  return inner.includes(text[0]!) || inner.includes(close) ? text : inner.trim()
}

/**
 * The explanation in an explainer's reply: its first non-empty line, without an echoed lead-in ("the main thing this
 * neuron does is find"), wrapping quotes or a trailing period, capped at MAX_EXPLANATION_CHARS on a word boundary.
 * An empty result is an LlmReplyError: storing "" would read as an explanation that explains nothing.
 */
export function parseExplanation(reply: string): string {
  const line = reply.split(/\r?\n/).map((l) => l.trim()).find((l) => l.length > 0) ?? ''
  let text = line.replace(ECHOED_LEAD, '').replace(/\s+/g, ' ').trim()
  for (let i = 0; i < 2; i++) text = unwrapQuotes(text.replace(/\s*\.+$/, '').trim())
  if (text.length > MAX_EXPLANATION_CHARS) {
    const cut = text.slice(0, MAX_EXPLANATION_CHARS - 1)
    const space = cut.lastIndexOf(' ')
    text = `${(space > MAX_EXPLANATION_CHARS / 2 ? cut.slice(0, space) : cut).trimEnd()}…`
  }
  if (text.length === 0) throw new LlmReplyError(`The explainer's reply holds no explanation (${JSON.stringify(reply.slice(0, 80))})`)
  return text
}

/** The activation on one `token<TAB>value` line: the last tab-separated (else space-separated) field, clamped to 0–10. */
function lineValue(line: string): number {
  const field = line.includes('\t') ? line.slice(line.lastIndexOf('\t') + 1) : (line.trim().split(/\s+/).pop() ?? '')
  const v = Number(field.trim())
  return Number.isFinite(v) ? Math.max(0, Math.min(MAX_DISCRETE_ACTIVATION, v)) : 0
}

/**
 * Per-token predictions from a simulator's reply, aligned with `records` by position. The rule:
 * - the k-th `<start>` … `<end>` block answers the k-th record; lines outside blocks are ignored, and so are blocks
 *   beyond the last record; a block left open runs to the end of the reply;
 * - within a block, the i-th non-blank line answers the i-th token, whatever token text it repeats; its value is the
 *   number after the last tab (else the last word), clamped to 0–10, and 0 when it is not a number ("unknown");
 * - tokens with no line (a short block, a missing block) are predicted 0; extra lines are ignored;
 * - a reply with no `<start>` at all is read as one stream of its tab-separated lines over all tokens in order.
 * Predicting 0 for what is missing keeps the score defined and penalises the gap (most true activations are 0, so the
 * top examples' missing tokens are the ones that cost).
 */
export function parseSimulation(reply: string, records: readonly TokenRecord[]): number[][] {
  const lines = reply.split(/\r?\n/)
  const blocks: string[][] = []
  let current: string[] | null = null
  for (const raw of lines) {
    const line = raw.trim()
    if (line === '<start>') {
      current = []
      blocks.push(current)
    } else if (line === '<end>') current = null
    else if (current && line.length > 0) current.push(raw)
  }
  if (blocks.length === 0) {
    const stream = lines.filter((l) => l.includes('\t')).map(lineValue)
    let at = 0
    return records.map((r) => r.tokens.map(() => stream[at++] ?? 0))
  }
  return records.map((r, k) => {
    const block = blocks[k] ?? []
    return r.tokens.map((_, i) => (block[i] === undefined ? 0 : lineValue(block[i]!)))
  })
}

/**
 * Which records a detector picked, indexed like the records (not as shown). Reads the integers of the first `[…]`
 * list in the reply, or of the whole reply when it has none; numbers outside 1..order.length are ignored. A reply with
 * no list, no number and no "none" is an LlmReplyError: it did not answer, and scoring it as "picked nothing" would
 * pass off a failure as a 0.5.
 */
export function parseDetection(reply: string, order: readonly number[]): boolean[] {
  const list = /\[([^\]]*)\]/.exec(reply)
  const numbers = (list ? list[1]! : reply).match(/\d+/g) ?? []
  if (!list && numbers.length === 0 && !/\bnone\b/i.test(reply)) {
    throw new LlmReplyError(`The detector's reply holds no list of examples (${JSON.stringify(reply.slice(0, 80))})`)
  }
  const picked = order.map(() => false)
  for (const n of numbers) {
    const shown = Number(n)
    if (shown >= 1 && shown <= order.length) picked[order[shown - 1]!] = true
  }
  return picked
}
