// The concept catalogue: enough concepts of every kind, a sound hierarchy, surface forms in every language, and
// catalogue.json / tokenizer.json written by writeWorldFiles.
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Tokenizer } from '@huggingface/tokenizers'
import { describe, expect, it } from 'vitest'
import { catalogueJson, conceptCatalogue } from './catalogue.ts'
import { CONCEPT_KINDS } from './concepts.ts'
import { writeWorldFiles } from './files.ts'
import { LANGUAGES } from './lexicon.ts'

describe('TinyWorld concept catalogue', () => {
  const catalogue = conceptCatalogue()

  it('has at least 48 concepts, every kind among them, with dense ids and unique names', () => {
    expect(catalogue.concepts.length).toBeGreaterThanOrEqual(48)
    expect(new Set(catalogue.concepts.map((c) => c.kind))).toEqual(new Set(CONCEPT_KINDS))
    catalogue.concepts.forEach((c, i) => expect(c.id).toBe(i))
    expect(new Set(catalogue.concepts.map((c) => c.name)).size).toBe(catalogue.concepts.length)
  })

  it('has a hierarchy without cycles, with the splits the design asks for', () => {
    const byName = new Map(catalogue.concepts.map((c) => [c.name, c]))
    for (const c of catalogue.concepts) {
      const seen = new Set<number>()
      for (let p = c.parent; p !== null; p = catalogue.concepts[p]!.parent) {
        expect(seen.has(p)).toBe(false)
        seen.add(p)
      }
    }
    const children = (name: string) => catalogue.concepts.filter((c) => c.parent === byName.get(name)!.id).map((c) => c.name)
    expect(children('animal')).toEqual(expect.arrayContaining(['cat', 'dog', 'bird', 'fish']))
    expect(children('place')).toEqual(expect.arrayContaining(['city', 'river', 'bridge', 'mountain']))
    expect(children('food')).toEqual(expect.arrayContaining(['fruit', 'bread']))
    expect(children('bridge')).toEqual(['arc_bridge'])
  })

  it('gives every word concept its words in all three languages, each language its own', () => {
    for (const c of catalogue.concepts.filter((c) => c.scope === 'word')) {
      for (const lang of LANGUAGES) expect(c.surfaceForms[lang].length, `${c.name} in ${lang}`).toBeGreaterThan(0)
    }
    const cat = catalogue.concepts.find((c) => c.name === 'cat')!
    expect(cat.surfaceForms.en).toEqual(['cat', 'kitten'])
    expect(new Set([...cat.surfaceForms.en, ...cat.surfaceForms.vel, ...cat.surfaceForms.dro]).size).toBe(6)
    const bridge = catalogue.concepts.find((c) => c.name === 'arc_bridge')!
    expect(bridge.surfaceForms).toEqual({ en: ['Golden Arc Bridge'], vel: ['Aurel Kasti'], dro: ['Zirn Volk Brask'] })
  })

  it('is plain JSON, the same on every call', () => {
    expect(JSON.parse(catalogueJson())).toEqual(catalogue)
    expect(catalogueJson()).toBe(catalogueJson())
  })

  it('writes catalogue.json and a loadable tokenizer.json', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tinyworld-'))
    try {
      const files = await writeWorldFiles(join(dir, 'nested'))
      expect(JSON.parse(await readFile(files.catalogue, 'utf8'))).toEqual(catalogue)
      const tokenizer = new Tokenizer(JSON.parse(await readFile(files.tokenizer, 'utf8')), {})
      expect(tokenizer.decode(tokenizer.encode('The cat sat near the Golden Arc Bridge.', { add_special_tokens: false }).ids)).toBe(
        'The cat <|unk|> near the Golden Arc Bridge.',
      )
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})
