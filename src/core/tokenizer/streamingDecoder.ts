// Turns generated token ids into text as they arrive, never emitting half a UTF-8 character or text that a later
// token would rewrite. The offsets scheme is Hugging Face text-generation-inference's.
import type { TextTokenizer } from './tokenizer.ts'

export interface StreamingDecoder {
  /** The text this token makes final; '' while it ends inside a multi-byte character. */
  push(id: number): string
  /** Whatever is still held back, e.g. a character cut off by the end of generation. */
  flush(): string
  /** Everything emitted so far. */
  readonly text: string
}

/** Context tokens decoded on each side of the window: enough to see the joins of the tokenizers we support. */
const CONTEXT_TOKENS = 4

/**
 * `context` holds ids already shown (the prompt): they are not emitted, but they shape the first new token's text,
 * e.g. its leading space.
 */
export function createStreamingDecoder(tokenizer: Pick<TextTokenizer, 'decode'>, opts: { context?: number[] } = {}): StreamingDecoder {
  // Only ids[prefixOffset..] are kept: [prefixOffset, readOffset) is text already emitted, read for context only.
  let ids = (opts.context ?? []).slice(-CONTEXT_TOKENS)
  let prefixOffset = 0
  let readOffset = ids.length
  let text = ''

  const advance = (final: boolean): string => {
    const prefixText = tokenizer.decode(ids.slice(prefixOffset, readOffset))
    const newText = tokenizer.decode(ids.slice(prefixOffset))
    // U+FFFD at the end means the last token stopped inside a character: wait for the bytes that complete it.
    if (newText.length <= prefixText.length || (!final && newText.endsWith('\uFFFD'))) return ''
    const delta = newText.slice(prefixText.length)
    ids = ids.slice(readOffset)
    prefixOffset = 0
    readOffset = ids.length
    text += delta
    return delta
  }

  return {
    push(id) {
      ids.push(id)
      return advance(false)
    },
    flush: () => advance(true),
    get text() {
      return text
    },
  }
}
