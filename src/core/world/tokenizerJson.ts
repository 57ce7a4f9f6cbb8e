// TinyWorld's tokenizer.json, in the Hugging Face format that @huggingface/tokenizers, transformers.js and Python's
// `tokenizers` all load.
//
// Choice: a WordPiece model over a closed vocabulary, split on single spaces, with the WordPiece decoder.
// - Every word is one whole token; text is the tokens joined by spaces, except tokens written '##x', which attach to
//   the token before them: sentence punctuation ('##.'), the closing quote ('##"'), line breaks ('##\n'), digits after
//   the first ('1','##2' = "12"), ordinal suffixes ('##rd'), HTML tag parts ('<','##p','##>') and base64 chunks.
//   So the world reads "Mira said: " I love the Golden Arc Bridge."", not "Mira said : " I love ... . "".
// - Encoding splits on spaces only (a line break stays inside its piece), then WordPiece's greedy longest match
//   splits a piece into vocabulary entries. The world's tokens are chosen so that greedy matching always finds the
//   generator's own split (see BASE64_CHUNKS), so encode(text) equals the generator's ids and decode(ids) equals its
//   text, exactly; tests check both on many documents.
// - No normaliser and no cleanup of spaces: text round-trips byte for byte.
import { getWorld, EOT_TOKEN, UNK_TOKEN, EOT_ID, UNK_ID } from './world.ts'

const special = (id: number, content: string) => ({ id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true })

export function buildTokenizerJson(): Record<string, unknown> {
  const { vocab } = getWorld()
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [special(EOT_ID, EOT_TOKEN), special(UNK_ID, UNK_TOKEN)],
    normalizer: null,
    // Pieces are maximal runs of non-spaces. (Written as an inverted match: @huggingface/tokenizers 0.2 mis-handles a
    // plain String pattern with invert false, keeping the spaces; the inverted form means the same in Rust and JS.)
    pre_tokenizer: { type: 'Split', pattern: { Regex: '[^ ]+' }, behavior: 'Removed', invert: true },
    post_processor: null,
    decoder: { type: 'WordPiece', prefix: '##', cleanup: false },
    model: {
      type: 'WordPiece',
      unk_token: UNK_TOKEN,
      continuing_subword_prefix: '##',
      max_input_chars_per_word: 100,
      vocab: Object.fromEntries(vocab.map((token, id) => [token, id])),
    },
  }
}

/** The vocabulary, id → token string ('##' marks a token that attaches to the one before it). */
export function worldVocab(): readonly string[] {
  return getWorld().vocab
}
