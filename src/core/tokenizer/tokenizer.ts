// Text ↔ token ids from a Hugging Face tokenizer.json (byte-level BPE for GPT-2, WordLevel, WordPiece, Unigram…).
// Built on @huggingface/tokenizers, the tokenizer library @huggingface/transformers v4 itself depends on: the same ids
// as transformers.js and Python, without transformers' onnxruntime weight.
import { Tokenizer } from '@huggingface/tokenizers'
import { TokenizerError } from '../errors.ts'
import { parseJsonChecked } from '../formats/safeJson.ts'
import { checkTokenizerJson } from './checkTokenizerJson.ts'

export { createStreamingDecoder, type StreamingDecoder } from './streamingDecoder.ts'

export interface TextTokenizer {
  encode(text: string): number[]
  decode(ids: number[]): string
  /** The text one token adds when it follows other text in a stream: ' world' for byte-level 'Ġworld'. */
  decodeToken(id: number): string
  readonly vocabSize: number
}

/** What `loadTokenizer` returns: the contract plus lookups that dashboards and loaders want. */
export interface HfTextTokenizer extends TextTokenizer {
  /** `addSpecialTokens` defaults to true, as in Python, so a post-processor that prepends BOS does so here too. */
  encode(text: string, opts?: { addSpecialTokens?: boolean }): number[]
  decode(ids: number[], opts?: { skipSpecialTokens?: boolean }): string
  /** The raw vocabulary entry ('Ġworld'), or undefined outside the vocabulary. */
  idToToken(id: number): string | undefined
  tokenToId(token: string): number | undefined
  readonly specialTokenIds: readonly number[]
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

const message = (err: unknown): string => (err instanceof Error ? err.message : String(err))

/**
 * Loads tokenizer.json (parsed or as text). `tokenizerConfig` is tokenizer_config.json, when the model has one.
 * Throws TokenizerError for anything the library cannot build.
 */
export function loadTokenizer(json: unknown | string, tokenizerConfig: Record<string, unknown> = {}): HfTextTokenizer {
  let parsed: unknown = json
  if (typeof json === 'string') {
    parsed = parseJsonChecked(json, (detail) => {
      throw new TokenizerError(`tokenizer.json is ${detail}`)
    })
  }
  if (!isRecord(parsed)) throw new TokenizerError('tokenizer.json must be a JSON object')
  if (!isRecord(parsed.model)) throw new TokenizerError('tokenizer.json has no "model" object')
  checkTokenizerJson(parsed)

  // The library insists on every top-level key; tokenizer.json files written by hand or by older tools omit some.
  const spec = { normalizer: null, pre_tokenizer: null, post_processor: null, decoder: null, added_tokens: [], ...parsed }
  const model = parsed.model
  const config: Record<string, unknown> = {
    // The Rust library, which tokenizer.json describes, never "cleans up" spaces before punctuation; doing so would
    // also make decode(ids[0..n]) stop being a prefix of decode(ids[0..n+1]), which streaming relies on.
    clean_up_tokenization_spaces: false,
    ...tokenizerConfig,
  }
  // WordLevel has no class of its own in the library: its fallback model reads the unknown token from the config.
  if ((model.type === 'WordLevel' || model.type === undefined) && config.unk_token === undefined) config.unk_token = model.unk_token

  let tokenizer: Tokenizer
  try {
    tokenizer = new Tokenizer(spec, config)
  } catch (err) {
    throw new TokenizerError(`Could not build the tokenizer from tokenizer.json: ${message(err)}`)
  }
  return wrap(tokenizer)
}

function wrap(tokenizer: Tokenizer): HfTextTokenizer {
  let vocabSize = 0 // max id + 1: ids may have gaps, and added tokens may sit past the model's vocabulary
  for (const id of tokenizer.get_vocab(true).values()) vocabSize = Math.max(vocabSize, id + 1)
  const specialTokenIds = [...tokenizer.get_added_tokens_decoder().values()].filter((t) => t.special).map((t) => t.id)
  const special = new Set(specialTokenIds)

  const checkIds = (ids: number[]) => {
    for (const id of ids) {
      // The library would quietly decode an unknown id as the text "undefined" or as NUL bytes.
      if (!Number.isInteger(id) || tokenizer.id_to_token(id) === undefined) {
        throw new TokenizerError(`Token id ${id} is not in the vocabulary (size ${vocabSize})`)
      }
    }
  }

  const decode = (ids: number[], opts: { skipSpecialTokens?: boolean } = {}): string => {
    checkIds(ids)
    if (ids.length === 0) return '' // the library refuses empty input
    try {
      return tokenizer.decode(ids, { skip_special_tokens: opts.skipSpecialTokens ?? false })
    } catch (err) {
      throw new TokenizerError(`Could not decode [${ids.slice(0, 8).join(', ')}${ids.length > 8 ? ', …' : ''}]: ${message(err)}`)
    }
  }

  // A token's stream text depends on what precedes it (WordLevel joins with spaces, Metaspace drops a leading space
  // at the start), so measure it after a fixed plain-word token: decode([pivot, id]) minus decode([pivot]).
  let pivot: { id: number; text: string } | null | undefined
  const findPivot = () => {
    let fallback: { id: number; text: string } | null = null
    for (let id = 0; id < vocabSize; id++) {
      if (special.has(id) || tokenizer.id_to_token(id) === undefined) continue
      const text = decode([id])
      if (/^[A-Za-z]$/.test(text)) return { id, text }
      if (!fallback && /^[A-Za-z0-9]+$/.test(text)) fallback = { id, text }
    }
    return fallback
  }
  const tokenTexts = new Map<number, string>()
  const decodeToken = (id: number): string => {
    const cached = tokenTexts.get(id)
    if (cached !== undefined) return cached
    if (pivot === undefined) pivot = findPivot()
    const both = pivot ? decode([pivot.id, id]) : ''
    const text = pivot && both.startsWith(pivot.text) ? both.slice(pivot.text.length) : decode([id])
    tokenTexts.set(id, text)
    return text
  }

  return {
    vocabSize,
    specialTokenIds,
    encode(text, opts = {}) {
      let encoding: { ids: Array<number | undefined>; tokens: string[] }
      try {
        encoding = tokenizer.encode(text, { add_special_tokens: opts.addSpecialTokens ?? true })
      } catch (err) {
        throw new TokenizerError(`Could not encode text: ${message(err)}`)
      }
      // Without an unknown token the library leaves holes for pieces outside the vocabulary.
      const missing = encoding.ids.findIndex((id) => id === undefined)
      if (missing >= 0) {
        throw new TokenizerError(`"${encoding.tokens[missing]}" is not in the vocabulary, which has no unknown token`)
      }
      return encoding.ids as number[]
    },
    decode,
    decodeToken,
    idToToken: (id) => tokenizer.id_to_token(id),
    tokenToId: (token) => tokenizer.token_to_id(token),
  }
}
