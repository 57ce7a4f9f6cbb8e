// Tokenizers built by hand (WordLevel and byte-level BPE): encode, decode, per-token text and streaming.
import { describe, expect, it } from 'vitest'
import { TokenizerError } from '../errors.ts'
import { createStreamingDecoder, loadTokenizer, type TextTokenizer } from './tokenizer.ts'

const special = (id: number, content: string) => ({ id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true })

/** A TinyWorld-style word tokenizer: whitespace pre-tokenizer, no decoder (so decode joins tokens with spaces). */
const wordLevelJson = {
  version: '1.0',
  truncation: null,
  padding: null,
  added_tokens: [special(0, '[UNK]'), special(1, '<|bos|>')],
  normalizer: null,
  pre_tokenizer: { type: 'Whitespace' },
  post_processor: null,
  decoder: null,
  model: { type: 'WordLevel', vocab: { '[UNK]': 0, '<|bos|>': 1, the: 2, cat: 3, sat: 4, '.': 5, dog: 6 }, unk_token: '[UNK]' },
}

/**
 * GPT-2's layout in miniature. Byte-level symbols: 'Ġ' is the space byte; 'Ã' and '©' are the bytes C3 A9 of 'é'.
 * 'é' has no merge, so it always takes two tokens, each half a character.
 */
const byteLevelJson = {
  version: '1.0',
  added_tokens: [special(23, '<|endoftext|>')],
  normalizer: null,
  pre_tokenizer: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true },
  post_processor: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: false, use_regex: true },
  decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
  model: {
    type: 'BPE',
    dropout: null,
    unk_token: null,
    continuing_subword_prefix: '',
    end_of_word_suffix: '',
    fuse_unk: false,
    byte_fallback: false,
    vocab: Object.fromEntries(
      ['h', 'e', 'l', 'o', 'Ġ', 'w', 'r', 'd', 'c', 'a', 'f', 'Ã', '©', '!', 'he', 'll', 'hell', 'hello', 'Ġw', 'or', 'Ġwor', 'ld', 'Ġworld', '<|endoftext|>'].map((t, i) => [t, i]),
    ),
    merges: ['h e', 'l l', 'he ll', 'hell o', 'Ġ w', 'o r', 'Ġw or', 'l d', 'Ġwor ld'],
  },
}

const stream = (tokenizer: Pick<TextTokenizer, 'decode'>, ids: number[], context?: number[]) => {
  const decoder = createStreamingDecoder(tokenizer, { context })
  const pieces = ids.map((id) => decoder.push(id))
  return { pieces, flushed: decoder.flush(), text: decoder.text }
}

describe('WordLevel tokenizer', () => {
  const tok = loadTokenizer(JSON.stringify(wordLevelJson))

  it('encodes words, mapping unknown ones to [UNK], and decodes with spaces', () => {
    expect(tok.vocabSize).toBe(7)
    expect(tok.encode('the cat sat.')).toEqual([2, 3, 4, 5])
    expect(tok.encode('the bird sat')).toEqual([2, 0, 4])
    expect(tok.decode([2, 3, 4, 5])).toBe('the cat sat .')
    expect(tok.decode([])).toBe('')
    expect(tok.decode([1, 2], { skipSpecialTokens: true })).toBe('the')
    expect(tok.specialTokenIds).toEqual([0, 1])
    expect(tok.idToToken(3)).toBe('cat')
    expect(tok.tokenToId('dog')).toBe(6)
  })

  it('gives each token its streamed text, with the joining space', () => {
    expect(tok.decodeToken(3)).toBe(' cat')
    expect(tok.decodeToken(5)).toBe(' .')
  })

  it('streams text whose pieces concatenate to the full decode', () => {
    const { pieces, flushed, text } = stream(tok, [2, 3, 4, 5])
    expect(pieces).toEqual(['the', ' cat', ' sat', ' .'])
    expect(flushed).toBe('')
    expect(text).toBe(tok.decode([2, 3, 4, 5]))
    // After a prompt, the first new token already carries its space.
    expect(stream(tok, [4], [2, 3]).pieces).toEqual([' sat'])
  })
})

describe('byte-level BPE tokenizer', () => {
  const tok = loadTokenizer(byteLevelJson)
  const id = (t: string) => tok.tokenToId(t)!

  it('encodes with merges and the space byte Ġ, and round-trips text', () => {
    expect(tok.vocabSize).toBe(24)
    expect(tok.encode('hello world')).toEqual([id('hello'), id('Ġworld')])
    const text = 'hello café! world<|endoftext|>'
    const ids = tok.encode(text)
    expect(ids.slice(1, 7)).toEqual([id('Ġ'), id('c'), id('a'), id('f'), id('Ã'), id('©')])
    expect(ids.at(-1)).toBe(23)
    expect(tok.decode(ids)).toBe(text)
    expect(tok.decode(ids, { skipSpecialTokens: true })).toBe('hello café! world')
  })

  it('gives each token its streamed text', () => {
    expect(tok.decodeToken(id('Ġworld'))).toBe(' world')
    expect(tok.decodeToken(id('hello'))).toBe('hello')
    expect(tok.decodeToken(23)).toBe('<|endoftext|>')
    expect(tok.decodeToken(id('Ã'))).toBe('\uFFFD') // half a character shows as the replacement character
  })

  it('streams without splitting a multi-byte character', () => {
    const ids = tok.encode('hello café world')
    const { pieces, flushed, text } = stream(tok, ids)
    expect(pieces).toEqual(['hello', ' ', 'c', 'a', 'f', '', 'é', ' world'])
    expect(flushed).toBe('')
    expect(text).toBe('hello café world')
  })

  it('flushes an incomplete character at the end', () => {
    const { pieces, flushed } = stream(tok, [id('c'), id('Ã')])
    expect(pieces).toEqual(['c', ''])
    expect(flushed).toBe('\uFFFD')
  })
})

describe('tokenizer errors', () => {
  it('wraps bad input in TokenizerError', () => {
    expect(() => loadTokenizer('{not json')).toThrow(TokenizerError)
    expect(() => loadTokenizer([])).toThrow(/must be a JSON object/)
    expect(() => loadTokenizer({ version: '1.0' })).toThrow(/no "model"/)
    expect(() => loadTokenizer({ model: { type: 'Mystery' } })).toThrow(TokenizerError)
    const tok = loadTokenizer(wordLevelJson)
    expect(() => tok.decode([99])).toThrow(/Token id 99 is not in the vocabulary \(size 7\)/)
    expect(() => tok.decode([1.5])).toThrow(TokenizerError)
  })

  it('refuses text outside a vocabulary that has no unknown token', () => {
    const { added_tokens: _, ...rest } = wordLevelJson
    const strict = loadTokenizer({ ...rest, model: { type: 'WordLevel', vocab: { the: 0, cat: 1 } } })
    expect(strict.encode('the cat')).toEqual([0, 1])
    expect(() => strict.encode('the dog')).toThrow(/"dog" is not in the vocabulary/)
  })
})
