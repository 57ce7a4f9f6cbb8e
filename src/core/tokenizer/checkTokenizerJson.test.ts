// Hostile tokenizer.json files (issue 14) are refused quickly by name; real tokenizers' patterns are not.
import { describe, expect, it } from 'vitest'
import { TokenizerError } from '../errors.ts'
import { buildTokenizerJson } from '../world/tokenizerJson.ts'
import { backtrackingRisk } from './checkTokenizerJson.ts'
import { loadTokenizer } from './tokenizer.ts'

const special = (id: unknown, content: string) => ({ id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true })
const wordLevel = (vocab: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  added_tokens: [special(0, '[UNK]')],
  pre_tokenizer: { type: 'Whitespace' },
  model: { type: 'WordLevel', vocab: { '[UNK]': 0, ...vocab }, unk_token: '[UNK]' },
  ...extra,
})

const refusal = (json: unknown): string => {
  try {
    loadTokenizer(json)
  } catch (err) {
    expect(err).toBeInstanceOf(TokenizerError)
    return (err as Error).message
  }
  throw new Error('loaded')
}

describe('tokenizer.json ids', () => {
  it('refuses an id of 2^31 at once (it took over a minute to load), and fractional or negative ids', () => {
    expect(refusal(wordLevel({ the: 2 ** 31 }))).toBe('tokenizer.json: the vocabulary entry "the" has id 2147483648; token ids must be integers in [0, 1048576)')
    expect(refusal(wordLevel({ the: 1.5 }))).toMatch(/"the" has id 1\.5; token ids must be integers/)
    expect(refusal(wordLevel({ the: -1 }))).toMatch(/"the" has id -1/)
    expect(refusal(wordLevel({ the: '1' }))).toMatch(/"the" has id "1"/)
    expect(refusal({ ...wordLevel({ the: 1 }), added_tokens: [special(2 ** 40, '<x>')] })).toMatch(/added_tokens\[0\] has id 1099511627776/)
  })

  it('refuses two tokens on one id', () => {
    expect(refusal(wordLevel({ the: 1, cat: 1 }))).toBe('tokenizer.json: the vocabulary gives id 1 to both "the" and "cat"')
  })

  it('still loads TinyWorld\'s tokenizer', () => {
    expect(loadTokenizer(buildTokenizerJson()).vocabSize).toBe(986)
  })
})

describe('tokenizer.json patterns', () => {
  it('refuses (a+)+$ in a Split pre-tokenizer, nested in a Sequence, before it can hang encoding', () => {
    const split = { type: 'Split', pattern: { Regex: '(a+)+$' }, behavior: 'Isolated', invert: false }
    const json = wordLevel({ the: 1 }, { pre_tokenizer: { type: 'Sequence', pretokenizers: [{ type: 'Whitespace' }, split] } })
    expect(refusal(json)).toBe('tokenizer.json: the pattern "(a+)+$" repeats a group that itself repeats, which can take exponential time to match; Monoscope does not load it')
    expect(refusal(wordLevel({ the: 1 }, { normalizer: { type: 'Replace', pattern: { Regex: '(x|xx)*y' }, content: '' } }))).toMatch(/repeats a group that alternates/)
  })

  it('flags the shapes of catastrophic backtracking and nothing in real tokenizers', () => {
    for (const bad of ['(a+)+$', '(a*)*b', '(\\w+\\s?)+$', '((ab)+)+', '(a|aa)+', '(?:x|y){2,}z', '([a-z]+)*!']) expect(backtrackingRisk(bad), bad).not.toBeNull()
    const real = {
      gpt2: "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+",
      llama3: "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+",
      qwen2: "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+",
      smollm: '\\p{N}|[\\s\\S]',
      classes: '[(+)]+|[\\]|*]+',
    }
    for (const [name, pattern] of Object.entries(real)) expect(backtrackingRisk(pattern), name).toBeNull()
  })
})
