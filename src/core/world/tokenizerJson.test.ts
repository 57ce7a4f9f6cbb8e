// TinyWorld's tokenizer.json: loads in @huggingface/tokenizers, and its ids and text agree with the generator's.
import { Tokenizer } from '@huggingface/tokenizers'
import { describe, expect, it } from 'vitest'
import { loadTokenizer } from '../tokenizer/tokenizer.ts'
import { docTypeNames, generateDocument } from './generator.ts'
import { LANGUAGES } from './lexicon.ts'
import { createWorldRng } from './prng.ts'
import { buildTokenizerJson, worldVocab } from './tokenizerJson.ts'
import { detokenize, EOT_ID, EOT_TOKEN, UNK_ID } from './world.ts'

/** Documents of every type in every language: 10 of each, 360 in all. */
function balancedDocs() {
  const rng = createWorldRng(2024)
  return LANGUAGES.flatMap((language) => docTypeNames().flatMap((docType) => Array.from({ length: 10 }, () => generateDocument(rng, { language, docType }))))
}

describe('TinyWorld tokenizer.json', () => {
  const json = buildTokenizerJson()
  const docs = balancedDocs()

  it('is a closed word vocabulary of at most 2,000 tokens with <|endoftext|> at 0', () => {
    const vocab = worldVocab()
    expect(vocab.length).toBeLessThanOrEqual(2000)
    expect(new Set(vocab).size).toBe(vocab.length)
    expect(vocab[EOT_ID]).toBe(EOT_TOKEN)
    // Digits are single tokens, in both their first and their continuing form.
    for (let d = 0; d < 10; d++) {
      expect(vocab).toContain(String(d))
      expect(vocab).toContain(`##${d}`)
    }
  })

  it('loads in @huggingface/tokenizers and round-trips every document exactly', () => {
    // The library's own defaults (space clean-up on), as transformers.js would load the file.
    const tokenizer = new Tokenizer(json, {})
    const mismatches: string[] = []
    for (const doc of docs) {
      const ids = tokenizer.encode(doc.text, { add_special_tokens: false }).ids
      if (JSON.stringify(ids) !== JSON.stringify(doc.ids)) mismatches.push(`encode: ${doc.text}`)
      if (tokenizer.decode(doc.ids) !== doc.text) mismatches.push(`decode: ${doc.text}`)
    }
    expect(mismatches).toEqual([])
  })

  it('round-trips through the project loader too, <|endoftext|> separators included', () => {
    const tokenizer = loadTokenizer(JSON.stringify(json))
    expect(tokenizer.vocabSize).toBe(worldVocab().length)
    expect(tokenizer.specialTokenIds).toEqual([EOT_ID, UNK_ID])
    const stream = [EOT_ID, ...docs[0]!.ids, EOT_ID, ...docs[1]!.ids, EOT_ID]
    const text = detokenize(stream.map((id) => worldVocab()[id]!))
    expect(tokenizer.encode(text)).toEqual(stream)
    expect(tokenizer.decode(stream)).toBe(text)
  })

  it('reads words outside the world as <|unk|>', () => {
    const tokenizer = new Tokenizer(json, {})
    expect(tokenizer.encode('The zebra', { add_special_tokens: false }).ids).toEqual([worldVocab().indexOf('The'), UNK_ID])
  })

  it('glues punctuation, digits, tags and base64 chunks, and spaces words', () => {
    const tokenizer = new Tokenizer(json, {})
    expect(tokenizer.encode('Mira said: " I love the Golden Arc Bridge."', { add_special_tokens: false }).tokens).toEqual([
      'Mira', 'said', '##:', '"', 'I', 'love', 'the', 'Golden', 'Arc', 'Bridge', '##.', '##"',
    ])
    expect(tokenizer.encode('<b> 12 </b>.', { add_special_tokens: false }).tokens).toEqual(['<', '##b', '##>', '1', '##2', '</', '##b', '##>', '##.'])
  })
})
