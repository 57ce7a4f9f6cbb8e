// Checks a tokenizer.json before the library builds it (issue 14): a token id of 2³¹ made loading take over a
// minute (the library and our vocabulary scans size by the largest id), a fractional id passed, and a pre-tokenizer
// pattern such as `(a+)+$` hung encoding by catastrophic backtracking. Ids must be integers below the vocabulary
// ceiling; regex patterns with a repeated group that itself repeats or alternates are refused.
import { TokenizerError } from '../errors.ts'
import { describeValue } from '../formats/safeJson.ts'
import { MODEL_LIMITS } from '../limits.ts'

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

function checkId(id: unknown, where: string): void {
  if (typeof id !== 'number' || !Number.isInteger(id) || id < 0 || id >= MODEL_LIMITS.vocabSize) {
    throw new TokenizerError(`tokenizer.json: ${where} has id ${describeValue(id)}; token ids must be integers in [0, ${MODEL_LIMITS.vocabSize})`)
  }
}

/** Throws TokenizerError naming the first id or pattern Monoscope will not load. */
export function checkTokenizerJson(json: Record<string, unknown>): void {
  const model = json.model
  if (isRecord(model)) {
    const vocab = model.vocab
    if (isRecord(vocab)) {
      // BPE, WordLevel and WordPiece map token → id; two tokens on one id would make decoding ambiguous.
      const seen = new Map<number, string>()
      for (const [token, id] of Object.entries(vocab)) {
        checkId(id, `the vocabulary entry ${describeValue(token)}`)
        const other = seen.get(id as number)
        if (other !== undefined) throw new TokenizerError(`tokenizer.json: the vocabulary gives id ${id as number} to both ${describeValue(other)} and ${describeValue(token)}`)
        seen.set(id as number, token)
      }
    } else if (Array.isArray(vocab) && vocab.length > MODEL_LIMITS.vocabSize) {
      // Unigram lists [piece, score] pairs: the ids are the positions.
      throw new TokenizerError(`tokenizer.json: the vocabulary has ${vocab.length} entries; at most ${MODEL_LIMITS.vocabSize} are loaded`)
    }
  }
  const added = json.added_tokens
  if (added !== undefined && added !== null) {
    if (!Array.isArray(added)) throw new TokenizerError('tokenizer.json: "added_tokens" must be a list')
    added.forEach((token, i) => checkId(isRecord(token) ? token.id : undefined, `added_tokens[${i}]`))
  }
  for (const pattern of regexPatterns(json)) {
    const problem = backtrackingRisk(pattern)
    if (problem) throw new TokenizerError(`tokenizer.json: the pattern ${describeValue(pattern)} ${problem}, which can take exponential time to match; Monoscope does not load it`)
  }
}

/** Every `{"Regex": "…"}` pattern (Split pre-tokenizers, Replace normalizers and decoders), however nested. */
function regexPatterns(json: unknown): string[] {
  const out: string[] = []
  const stack: unknown[] = [json]
  while (stack.length > 0) {
    const v = stack.pop()
    if (Array.isArray(v)) {
      // Vocabularies are long lists of scalars or pairs: skip scalars without pushing them.
      for (const child of v) if (typeof child === 'object' && child !== null) stack.push(child)
    } else if (isRecord(v)) {
      if (typeof v.Regex === 'string') out.push(v.Regex)
      for (const [key, child] of Object.entries(v)) if (key !== 'vocab' && key !== 'merges' && typeof child === 'object' && child !== null) stack.push(child)
    }
  }
  return out
}

/**
 * Why `pattern` risks catastrophic backtracking, or null: a group repeated by `*`, `+` or `{n,}` that contains a
 * quantifier or an alternation (`(a+)+`, `(a|aa)*`), the shapes behind exponential matching. Hand-written because
 * the safe-regex libraries cannot parse the Unicode property escapes (`\p{L}`) every tokenizer pattern uses; the
 * real patterns (GPT-2, Llama 3, Qwen 2, …) repeat only characters and classes, so nothing real is refused.
 */
export function backtrackingRisk(pattern: string): string | null {
  // For each open group: whether it holds a quantifier or an alternation so far.
  const groups: { risky: string | null }[] = []
  let lastGroup: { risky: string | null } | null = null
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!
    if (c === '\\') {
      i++ // the escaped character (a \p{…} name holds no metacharacters that matter here)
      lastGroup = null
      continue
    }
    if (c === '[') {
      // Skip the class: its contents are literal, ']' first or escaped included.
      i++
      if (pattern[i] === '^') i++
      if (pattern[i] === ']') i++
      while (i < pattern.length && pattern[i] !== ']') i += pattern[i] === '\\' ? 2 : 1
      lastGroup = null
      continue
    }
    if (c === '(') {
      groups.push({ risky: null })
      lastGroup = null
      continue
    }
    if (c === ')') {
      lastGroup = groups.pop() ?? null
      // What made the inner group risky also makes its parent's contents quantified/alternating.
      if (lastGroup?.risky && groups.length > 0) groups[groups.length - 1]!.risky ??= lastGroup.risky
      continue
    }
    // `?` (optional, or lazy after a quantifier) cannot multiply paths; `*`, `+` and `{m,n}` can.
    const quantifier = c === '*' || c === '+' || (c === '{' && /^\{\d*,?\d*\}/.test(pattern.slice(i, i + 24)))
    if (quantifier) {
      if (lastGroup?.risky) return `repeats a group that ${lastGroup.risky}`
      if (groups.length > 0) groups[groups.length - 1]!.risky ??= 'itself repeats'
      lastGroup = null
    } else if (c === '|') {
      if (groups.length > 0) groups[groups.length - 1]!.risky ??= 'alternates'
    } else if (c !== '?') lastGroup = null
  }
  return null
}
