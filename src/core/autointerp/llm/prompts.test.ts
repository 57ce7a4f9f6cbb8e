import { describe, expect, it } from 'vitest'
import { detectMessages, discretise, explainMessages, formatRecord, LLM_PROMPT_VERSION, showToken, simulateMessages } from './prompts.ts'

describe('discretise', () => {
  it('maps activations to integers 0–10 relative to the max, floored, 10 only at the max', () => {
    expect(discretise([0, 0.5, 1.99, 2, 3.99, 4, 5], 4)).toEqual([0, 1, 4, 5, 9, 10, 10])
  })
  it('reads 0 for negatives, non-finite values and a feature that never fired', () => {
    expect(discretise([-1, Number.NaN, Infinity, 2], 4)).toEqual([0, 0, 0, 5])
    expect(discretise([1, 2], 0)).toEqual([0, 0])
  })
})

describe('record format', () => {
  it('writes token<TAB>value lines between <start> and <end>, escaping tabs and newlines in tokens', () => {
    expect(formatRecord([' a', '\n', 'x\ty'], [0, 10, 'unknown'])).toBe('<start>\n a\t0\n\\n\t10\nx\\ty\tunknown\n<end>')
    expect(showToken('a\r\nb')).toBe('a\\r\\nb')
  })
})

describe('explain prompt', () => {
  const records = [
    { tokens: [' the', ' bridge', ' fell'], activations: [0, 4, 1] },
    { tokens: [' a', ' cat'], activations: [0, 0] },
  ]
  it('is a system and a user message in Bills et al.’s format, ending in the completion lead-in', () => {
    const [system, user] = explainMessages(records, 4)
    expect(system!.role).toBe('system')
    expect(system!.content).toContain('token<tab>activation')
    expect(user!.role).toBe('user')
    expect(user!.content).toContain('<start>\n the\t0\n bridge\t10\n fell\t2\n<end>\n<start>\n a\t0\n cat\t0\n<end>')
    // The zero-filtered repeat keeps only non-zero tokens and skips records with none.
    expect(user!.content).toContain('all zeros filtered out:\n<start>\n bridge\t10\n fell\t2\n<end>\n\n')
    expect(user!.content.endsWith('the main thing this neuron does is find')).toBe(true)
  })
  it('is versioned', () => expect(LLM_PROMPT_VERSION).toMatch(/^bills-2023\/v\d+$/))
})

describe('simulate prompt', () => {
  it('shows the explanation and every token with "unknown", never the activations', () => {
    const [, user] = simulateMessages('the token "bridge"', [{ tokens: [' the', ' bridge'] }])
    expect(user!.content).toContain('does is find the token "bridge".')
    expect(user!.content).toContain('<start>\n the\tunknown\n bridge\tunknown\n<end>')
  })
})

describe('detect prompt', () => {
  const records = Array.from({ length: 10 }, (_, i) => ({ tokens: [` w${i}`, ' end'] }))
  it('numbers the records in a seeded shuffle, the same for the same seed', () => {
    const a = detectMessages('x', records, 7)
    const b = detectMessages('x', records, 7)
    const c = detectMessages('x', records, 8)
    expect(a.order).toEqual(b.order)
    expect([...a.order].sort((x, y) => x - y)).toEqual(records.map((_, i) => i))
    expect(a.order).not.toEqual(c.order)
    expect(a.order).not.toEqual(records.map((_, i) => i)) // shuffled, not shown in the scoring order
    const first = a.order[0]!
    expect(a.messages[1]!.content).toContain(`Example 1:  w${first} end`)
    expect(a.messages[1]!.content).toContain('Feature explanation: x')
  })
})
