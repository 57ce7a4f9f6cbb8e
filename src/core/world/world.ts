// The assembled world: every language's document grammar, the vocabulary with its ids, and the forced-token
// automaton. Built once, lazily (about a tenth of a second), and shared.
import { CONCEPTS } from './concepts.ts'
import { formatDocs } from './docsFormats.ts'
import { proseDocs } from './docsProse.ts'
import { alt, forEachTok, label, seq, tok, type GNode, type TokNode } from './grammar.ts'
import { Lang } from './lang.ts'
import { LANGUAGES, type LanguageId } from './lexicon.ts'
import { WorldAutomaton } from './nfa.ts'
import { installSlots } from './slots.ts'

export const EOT_TOKEN = '<|endoftext|>'
export const UNK_TOKEN = '<|unk|>'
/** `<|endoftext|>` separates documents and doubles as BOS; id 0 so that a zero-filled buffer reads as "start". */
export const EOT_ID = 0
export const UNK_ID = 1

/** Share of documents per language: the English-like language is half the world, as English is half the web. */
export const LANGUAGE_WEIGHTS: Readonly<Record<LanguageId, number>> = Object.freeze({ en: 2, vel: 1, dro: 1 })

export interface DocType {
  readonly name: string
  readonly weight: number
  /** The document's grammar in one language, language label included. */
  readonly node: GNode
}

export interface LanguageGrammar {
  readonly id: LanguageId
  readonly weight: number
  readonly docTypes: readonly DocType[]
}

export interface World {
  readonly languages: readonly LanguageGrammar[]
  /** id → token string, specials first. */
  readonly vocab: readonly string[]
  readonly idOf: ReadonlyMap<string, number>
  /** Accepts any document followed by <|endoftext|>; forced flags are computed against it. */
  readonly automaton: WorldAutomaton
  readonly eot: TokNode
}

let cached: World | undefined

export function getWorld(): World {
  cached ??= buildWorld()
  return cached
}

function buildWorld(): World {
  const languages: LanguageGrammar[] = LANGUAGES.map((id) => {
    const L = new Lang(id)
    installSlots(L)
    const docTypes = [...proseDocs(L), ...formatDocs(L)].map(([node, weight, name]) => ({ name, weight, node: label([L.concept], node) }))
    return { id, weight: LANGUAGE_WEIGHTS[id], docTypes }
  })
  const eot = tok(EOT_TOKEN)
  const root = seq(alt(...languages.map((l) => [alt(...l.docTypes.map((d) => [d.node, d.weight] as const)), l.weight] as const)), eot)

  const texts = new Set<string>()
  forEachTok(root, (t) => texts.add(t.text))
  texts.delete(EOT_TOKEN)
  const vocab = [EOT_TOKEN, UNK_TOKEN, ...[...texts].sort(compareCodePoints)]
  const idOf = new Map(vocab.map((t, i) => [t, i]))
  forEachTok(root, (t) => {
    t.id = idOf.get(t.text)!
  })
  const automaton = new WorldAutomaton(root)
  if (CONCEPTS.length < 48) throw new Error('TinyWorld needs at least 48 concepts')
  return { languages, vocab, idOf, automaton, eot }
}

const compareCodePoints = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)

/** Text of a token sequence, exactly as the tokenizer's WordPiece decoder writes it: '##' glues, others get a space. */
export function detokenize(tokens: readonly string[]): string {
  let text = ''
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!
    if (t.startsWith('##')) text += t.slice(2)
    else text += i === 0 ? t : ` ${t}`
  }
  return text
}
