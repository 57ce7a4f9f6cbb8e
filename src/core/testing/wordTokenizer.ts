// A Hugging Face tokenizer.json for tests: whole words split on whitespace, each word one id in list order, the
// first word doubling as the unknown token.
export function wordLevelTokenizerJson(words: readonly string[]): Record<string, unknown> {
  return {
    version: '1.0',
    added_tokens: [],
    normalizer: null,
    pre_tokenizer: { type: 'Whitespace' },
    post_processor: null,
    decoder: null,
    model: { type: 'WordLevel', vocab: Object.fromEntries(words.map((w, i) => [w, i])), unk_token: words[0] },
  }
}
