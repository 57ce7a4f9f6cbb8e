// Cue-limited span scoring: the tokens of a span before its first cue word are marked unknowable, and nothing else.
import { describe, expect, it } from 'vitest'
import { conceptCatalogue } from './catalogue.ts'
import { conceptId } from './concepts.ts'
import { cueLimitedConcepts, unknowableSpanTokens } from './cues.ts'
import { sampleLabelled } from './generator.ts'
import { worldVocab } from './tokenizerJson.ts'

const joy = conceptId('joy')

describe('unknowableSpanTokens', () => {
  it('marks a planted sentence up to its cue word, restarting after the span ends', () => {
    const tokens = ['Tom', 'was', 'very', 'happy', '##.', 'The', 'cat', 'smiled', 'x']
    const concepts = [[joy], [joy], [joy], [joy], [joy], [], [joy], [joy], []]
    expect(unknowableSpanTokens(tokens, concepts, 'en')).toEqual([[joy], [joy], [joy], [], [], [], [joy], [], []])
  })

  it('leaves marked spans (quotes, code, tags) and cue-less spans whole, and limits the sentence-level ones', () => {
    const names = cueLimitedConcepts().map((c) => conceptCatalogue().concepts[c]!.name)
    expect(names).toEqual(expect.arrayContaining(['joy', 'secrecy', 'weather', 'question', 'arithmetic']))
    for (const whole of ['quote', 'code_block', 'html_tag', 'list_item', 'html_text', 'year', 'lang_en']) expect(names).not.toContain(whole)
  })

  it('on a labelled sample: each unknowable run is the prefix of its span before the first cue, and the next token is a cue', () => {
    const vocab = worldVocab()
    const catalogue = conceptCatalogue()
    const counts = new Map<number, { before: number; all: number }>()
    for (const doc of sampleLabelled(11, 30_000)) {
      const tokens = doc.ids.map((i) => vocab[i]!)
      const unknown = unknowableSpanTokens(tokens, doc.concepts, doc.language)
      for (const c of cueLimitedConcepts()) {
        const cues = new Set(catalogue.concepts[c]!.surfaceForms[doc.language].flatMap((f) => f.split(' ')).map((w) => w.toLowerCase()))
        const isCue = (t: number) => cues.has(tokens[t]!.replace(/^##/, '').toLowerCase())
        let seen = false
        for (let t = 0; t < tokens.length; t++) {
          const has = doc.concepts[t]!.includes(c as never)
          const marked = unknown[t]!.includes(c)
          if (!has) {
            expect(marked).toBe(false)
            seen = false
            continue
          }
          seen ||= isCue(t)
          expect(marked).toBe(!seen)
          const k = counts.get(c) ?? { before: 0, all: 0 }
          k.all++
          if (marked) k.before++
          counts.set(c, k)
        }
      }
    }
    // The independent check behind issue 19 found 47% of joy tokens and 27% of secrecy tokens before the first cue.
    const share = (name: string) => counts.get(conceptId(name))!.before / counts.get(conceptId(name))!.all
    expect(share('joy')).toBeGreaterThan(0.3)
    expect(share('joy')).toBeLessThan(0.6)
    expect(share('secrecy')).toBeGreaterThan(0.15)
    expect(share('secrecy')).toBeLessThan(0.45)
  })
})
