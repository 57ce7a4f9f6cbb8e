// The generator's contract: reproducible from the seed, labels aligned with tokens, the flat stream consistent.
import { describe, expect, it } from 'vitest'
import { InvalidArgumentError } from '../errors.ts'
import { createWorldStream, docTypeNames, generateDocument, MAX_DOC_TOKENS, MIN_DOC_TOKENS, sampleLabelled } from './generator.ts'
import { createWorldRng } from './prng.ts'
import { EOT_ID } from './world.ts'

describe('TinyWorld generator', () => {
  it('gives the same documents, concepts and forced flags for the same seed, and others for another seed', () => {
    const a = sampleLabelled(42, 5000)
    const b = sampleLabelled(42, 5000)
    expect(b).toEqual(a)
    const c = sampleLabelled(43, 5000)
    expect(c.map((r) => r.text)).not.toEqual(a.map((r) => r.text))
    expect(a.reduce((n, r) => n + r.ids.length, 0)).toBeGreaterThanOrEqual(5000)
  })

  it('draws the same documents with labels off (the fast path for training streams)', () => {
    const labelled = createWorldStream(9)
    const plain = createWorldStream(9, { labels: false })
    for (let i = 0; i < 50; i++) {
      const x = labelled.nextDocument()
      const y = plain.nextDocument()
      expect(y.ids).toEqual(x.ids)
      expect(y.text).toBe(x.text)
      expect(y.concepts).toEqual([])
    }
  })

  it('keeps documents within 40–200 tokens, with one concept list and one forced flag per token', () => {
    for (const doc of sampleLabelled(1, 20_000)) {
      expect(doc.ids.length).toBeGreaterThanOrEqual(MIN_DOC_TOKENS)
      expect(doc.ids.length).toBeLessThanOrEqual(MAX_DOC_TOKENS)
      expect(doc.concepts).toHaveLength(doc.ids.length)
      expect(doc.forced).toHaveLength(doc.ids.length)
      expect(doc.ids).not.toContain(EOT_ID)
      // The first token follows <|endoftext|>: every document type could start there, so it is never forced.
      expect(doc.forced[0]).toBe(false)
    }
  })

  it('streams <|endoftext|> doc <|endoftext|> doc …, the same however it is sliced', () => {
    const docs = [...take(createWorldStream(3), 4)]
    const expected = docs.flatMap((d) => [EOT_ID, ...d.ids])
    const whole = createWorldStream(3).takeTokens(expected.length)
    expect([...whole.ids]).toEqual(expected)
    const sliced = createWorldStream(3)
    const parts = [7, 100, 1, expected.length - 108].map((n) => sliced.takeTokens(n))
    expect(parts.flatMap((p) => [...p.ids])).toEqual(expected)
    expect(parts.flatMap((p) => p.concepts!)).toEqual(whole.concepts)
    // Labels line up: <|endoftext|> carries no concept, document tokens carry their document's labels.
    expect(whole.concepts![0]).toEqual([])
    expect(whole.concepts!.slice(1, 1 + docs[0]!.ids.length)).toEqual(docs[0]!.concepts)
    expect([...whole.forced!.slice(1, 1 + docs[0]!.ids.length)]).toEqual(docs[0]!.forced.map(Number))
    expect(createWorldStream(3, { labels: false }).takeTokens(10).concepts).toBeUndefined()
  })

  it('honours language and document type, and names the ones it does not know', () => {
    const rng = createWorldRng(5)
    for (const docType of docTypeNames()) {
      const doc = generateDocument(rng, { language: 'dro', docType })
      expect([doc.language, doc.docType]).toEqual(['dro', docType])
    }
    expect(() => generateDocument(1, { docType: 'poem' })).toThrow(InvalidArgumentError)
    expect(() => generateDocument(1, { language: 'fr' as never })).toThrow(/Unknown TinyWorld language/)
  })

  it('reports the entropy of its own choices, far below what a bigram model pays', () => {
    const docs = sampleLabelled(8, 20_000).map((r) => r.ids)
    const stream = createWorldStream(8)
    let nats = 0
    let tokens = 0
    for (let i = 0; i < docs.length; i++) {
      const doc = stream.nextDocument()
      nats += doc.choiceNats
      tokens += doc.ids.length
    }
    expect(nats / tokens).toBeGreaterThan(0.2)
    expect(nats / tokens).toBeLessThan(1.2)
  })
})

function* take<T>(items: Iterable<T>, n: number): Generator<T> {
  if (n <= 0) return
  for (const item of items) {
    yield item
    if (--n === 0) return
  }
}
