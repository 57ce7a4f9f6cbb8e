// Ground truth checked against the text itself, on a 200k-token sample: quotes, the bridge's name in three
// languages, code blocks, HTML tags, parents, languages, sums, forced flags and the frequency spread.
import { beforeAll, describe, expect, it } from 'vitest'
import { conceptCatalogue } from './catalogue.ts'
import { CONCEPTS, conceptId } from './concepts.ts'
import { sampleLabelled, type LabelledRecord } from './generator.ts'
import { LANGUAGES } from './lexicon.ts'
import { worldVocab } from './tokenizerJson.ts'

const SAMPLE_TOKENS = 200_000
let sample: LabelledRecord[]
const vocab = worldVocab()
const id = (name: string) => conceptId(name)
const tokensOf = (doc: LabelledRecord) => doc.ids.map((i) => vocab[i]!)

beforeAll(() => {
  sample = sampleLabelled(2025, SAMPLE_TOKENS)
})

/** Scans every document; `check` returns a message for each violation (only the first few are kept). */
function violations(check: (doc: LabelledRecord, tokens: string[], has: (i: number, concept: string) => boolean) => string[]): string[] {
  const out: string[] = []
  for (const doc of sample) {
    const has = (i: number, concept: string) => doc.concepts[i]!.includes(id(concept))
    for (const v of check(doc, tokensOf(doc), has)) if (out.length < 5) out.push(`${v} in: ${doc.text.slice(0, 160)}`)
  }
  return out
}

describe('TinyWorld labels', () => {
  it('marks every token strictly inside double quotes as quote, and nothing else (the marks themselves excluded)', () => {
    let quoted = 0
    expect(
      violations((_doc, tokens, has) => {
        const bad: string[] = []
        let inside = false
        tokens.forEach((t, i) => {
          if (t === '"' || t === '##"') {
            if (inside !== (t === '##"')) bad.push(`unbalanced ${t} at ${i}`)
            inside = t === '"'
            if (has(i, 'quote')) bad.push(`quote mark ${i} labelled quote`)
          } else if (has(i, 'quote') !== inside) bad.push(`token ${i} "${t}" quote=${!inside}`)
          else if (inside) quoted++
        })
        return bad
      }),
    ).toEqual([])
    expect(quoted).toBeGreaterThan(1000)
  })

  it("covers every token of the bridge's name, in all three languages, and nothing else", () => {
    const arc = conceptCatalogue().concepts[id('arc_bridge')]!
    const seen = new Map<string, Set<string>>(LANGUAGES.map((l) => [l, new Set()]))
    expect(
      violations((doc, tokens, has) => {
        const name = arc.surfaceForms[doc.language][0]!.split(' ')
        const inName = new Array<boolean>(tokens.length).fill(false)
        for (let i = 0; i + name.length <= tokens.length; i++) {
          if (name.every((t, j) => tokens[i + j] === t)) {
            for (let j = 0; j < name.length; j++) inName[i + j] = true
            seen.get(doc.language)!.add(doc.docType)
          }
        }
        return tokens.flatMap((t, i) =>
          has(i, 'arc_bridge') !== inName[i]! || (inName[i] && !(has(i, 'bridge') && has(i, 'place'))) ? [`token ${i} "${t}"`] : [],
        )
      }),
    ).toEqual([])
    // The bridge is named in many kinds of text in every language, and its name has 2–3 tokens in each.
    for (const lang of LANGUAGES) {
      expect(seen.get(lang)!.size).toBeGreaterThanOrEqual(8)
      expect(arc.surfaceForms[lang][0]!.split(' ').length).toBeGreaterThanOrEqual(2)
      expect(arc.surfaceForms[lang][0]!.split(' ').length).toBeLessThanOrEqual(3)
    }
  })

  it('marks every token between code fences as code, and nothing outside', () => {
    let inCode = 0
    expect(
      violations((_doc, tokens, has) => {
        const bad: string[] = []
        let inside = false
        tokens.forEach((t, i) => {
          if (t === '```') {
            inside = !inside
            if (has(i, 'code_block')) bad.push(`fence ${i} labelled`)
          } else if (has(i, 'code_block') !== inside) bad.push(`token ${i} "${t}"`)
          else if (inside) inCode++
          if (has(i, 'code_keyword') && !['let', 'print', 'if', 'while', 'fn', 'return'].includes(t)) bad.push(`keyword "${t}"`)
        })
        return inside ? [...bad, 'unclosed fence'] : bad
      }),
    ).toEqual([])
    expect(inCode).toBeGreaterThan(1000)
  })

  it('marks the parts of HTML-like tags as html_tag', () => {
    expect(
      violations((_doc, tokens, has) =>
        tokens.flatMap((t, i) => {
          const opensTag = (t === '<' || t === '</') && tokens[i + 1]?.startsWith('##') && tokens[i + 2] === '##>'
          if (opensTag && !(has(i, 'html_tag') && has(i + 1, 'html_tag') && has(i + 2, 'html_tag'))) return [`tag at ${i}`]
          if (has(i, 'html_tag') && !['<', '</', '##>'].includes(t) && !(tokens[i - 1] === '<' || tokens[i - 1] === '</')) return [`stray html_tag "${t}"`]
          return []
        }),
      ),
    ).toEqual([])
  })

  it('gives every token its parents and exactly its document language', () => {
    const languageConcepts = conceptCatalogue().languages
    expect(
      violations((doc, _tokens) =>
        doc.concepts.flatMap((set, i) => {
          const bad: string[] = []
          for (const c of set) {
            const parent = CONCEPTS[c]!.parent
            if (parent !== null && !set.includes(id(parent))) bad.push(`token ${i}: ${CONCEPTS[c]!.name} without ${parent}`)
          }
          const langs = languageConcepts.filter((l) => set.includes(l.concept as never))
          if (langs.length !== 1 || langs[0]!.id !== doc.language) bad.push(`token ${i}: languages ${langs.map((l) => l.id)}`)
          return bad
        }),
      ),
    ).toEqual([])
  })

  it('states sums correctly, with the answer labelled and forced', () => {
    let sums = 0
    const ops: Record<string, (a: number, b: number) => number> = { plus: (a, b) => a + b, minus: (a, b) => a - b, times: (a, b) => a * b, '+': (a, b) => a + b, '-': (a, b) => a - b, '*': (a, b) => a * b }
    expect(
      violations((doc, tokens, has) => {
        if (doc.language !== 'en') return []
        const bad: string[] = []
        // Numbers as runs of digit tokens: '1', '##2' → 12.
        const number = (at: number): [number, number] | null => {
          if (!/^\d$/.test(tokens[at] ?? '')) return null
          let end = at + 1
          while (/^##\d$/.test(tokens[end] ?? '')) end++
          return [Number(tokens.slice(at, end).map((t) => t.replace('##', '')).join('')), end]
        }
        for (let i = 0; i < tokens.length; i++) {
          if (i > 0 && /^(##)?\d$/.test(tokens[i - 1]!)) continue
          const a = number(i)
          if (!a || !ops[tokens[a[1]]!]) continue
          const b = number(a[1] + 1)
          if (!b || !(tokens[b[1]] === 'is' || tokens[b[1]] === '=' || tokens[b[1]] === '##?')) continue
          const c = number(b[1] + 1)
          if (!c) continue
          sums++
          if (c[0] !== ops[tokens[a[1]]!]!(a[0], b[0])) bad.push(`wrong sum at ${i}`)
          for (let j = b[1] + 1; j < c[1]; j++) if (!has(j, 'arithmetic_answer') || !doc.forced[j]) bad.push(`answer token ${j} not labelled/forced`)
          for (let j = i; j < b[1]; j++) if (!has(j, 'arithmetic')) bad.push(`operand token ${j} not arithmetic`)
        }
        return bad
      }),
    ).toEqual([])
    expect(sums).toBeGreaterThan(200)
  })
})

describe('TinyWorld forced flags', () => {
  it('forces at least 10% of tokens, the later tokens of the bridge name among them', () => {
    let forced = 0
    let total = 0
    for (const doc of sample) {
      forced += doc.forced.filter(Boolean).length
      total += doc.forced.length
      const tokens = tokensOf(doc)
      tokens.forEach((t, i) => {
        if ((t === 'Arc' || t === 'Kasti' || t === 'Volk') && !doc.forced[i]) throw new Error(`"${t}" not forced in ${doc.text}`)
      })
    }
    expect(forced / total).toBeGreaterThanOrEqual(0.1)
  })

  it('never calls a token forced where the same document prefix is followed by something else in the sample', () => {
    // Prefix hashes (two independent 32-bit FNV-style hashes folded into one safe integer) → next token seen.
    const next = new Map<number, { token: number; forced: boolean }>()
    const conflicts: string[] = []
    let repeatedForced = 0
    for (const doc of sample) {
      let h1 = 0x811c9dc5
      let h2 = 0x01000193
      doc.ids.forEach((token, i) => {
        const key = (h1 >>> 0) * 2 ** 21 + ((h2 >>> 0) & 0x1fffff)
        const seen = next.get(key)
        if (seen) {
          if (seen.token !== token && (seen.forced || doc.forced[i])) conflicts.push(`${doc.text.slice(0, 80)} @${i}`)
          if (doc.forced[i]) repeatedForced++
          seen.forced ||= doc.forced[i]!
        } else next.set(key, { token, forced: doc.forced[i]! })
        h1 = Math.imul(h1 ^ (token + 1), 0x01000193)
        h2 = Math.imul(h2 ^ (token * 7 + 3), 0x5bd1e995) ^ (h2 >>> 13)
      })
    }
    expect(conflicts.slice(0, 5)).toEqual([])
    expect(repeatedForced).toBeGreaterThan(1000) // the check had shared prefixes to work with
  })
})

describe('TinyWorld concept frequencies', () => {
  it('covers every catalogue concept, and spans at least three orders of magnitude', () => {
    const counts = new Array<number>(CONCEPTS.length).fill(0)
    let total = 0
    for (const doc of sample) {
      total += doc.ids.length
      for (const set of doc.concepts) for (const c of set) counts[c]!++
    }
    const missing = CONCEPTS.filter((_, i) => counts[i] === 0).map((c) => c.name)
    expect(missing).toEqual([])
    const max = Math.max(...counts)
    const min = Math.min(...counts)
    expect(max / min).toBeGreaterThanOrEqual(1000)
    // Common concepts near 1e-1 of tokens, rare ones near 1e-4.
    expect(max / total).toBeGreaterThan(0.1)
    expect(min / total).toBeLessThan(3e-4)
  })
})
