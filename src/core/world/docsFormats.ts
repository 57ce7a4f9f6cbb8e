// Structured document types: lists, code blocks, HTML-like markup, sums and secret messages with base64-like codes.
// Code, markup, digits and base64 chunks are the same tokens in every language; only the prose around them changes.
import { conceptSet } from './concepts.ts'
import { alt, mapChoice, rep, seq, tok, type GNode } from './grammar.ts'
import { NEWLINE, type Lang } from './lang.ts'
import { sentences, span } from './docsProse.ts'
import { CODE_IDENTIFIERS as IDENTIFIERS, CODE_KEYWORDS as KEYWORDS } from './lexicon.ts'
import { createWorldRng } from './prng.ts'
import { digits } from './slots.ts'

const NL = () => tok(NEWLINE)

export function listDoc(L: Lang): GNode {
  const item = (content: GNode) => mapChoice(content, (c) => seq(L.p('-'), span('list_item', c), NL()))
  const list = (header: string, content: GNode) => seq(L.p(header), rep(item(content), 2, 5))
  const lists = alt(
    [list('Shopping list : NL', L.slots.food!), 3],
    [list('Places to visit in $city : NL', L.slots.place!), 2],
    [list('My pets : NL', L.p('a $pet', { pet: L.np(L.slots.colour!, L.slots.animal!) })), 2],
    [list('Colours of the $arcBridge : NL', L.slots.colour!), 1],
  )
  return seq(L.p('$name wrote some lists . NL'), rep(lists, 2, 3), L.p('That is all .'))
}

// ---- the little programming language -------------------------------------------------------------------------


function codeTok(text: string, concept: 'code_keyword' | 'code_identifier' | 'code_operator' | null): GNode {
  return tok(text, conceptSet(concept ? [concept] : []))
}

function codeBlock(): GNode {
  const kw = Object.fromEntries(KEYWORDS.map((k) => [k, codeTok(k, 'code_keyword')])) as Record<(typeof KEYWORDS)[number], GNode>
  const id = () => alt(...IDENTIFIERS.map((name) => codeTok(name, 'code_identifier')))
  const op = (text: string) => codeTok(text, 'code_operator')
  const punct = (text: string) => codeTok(text, null)
  const num = () => alt(...Array.from({ length: 100 }, (_, n) => digits(n, ['code_number', 'number'])))
  const binary = () => alt(op('+'), op('-'), op('*'))
  const expr = () => alt([num(), 2], [id(), 2], [seq(id(), binary(), num()), 2], [seq(num(), binary(), num()), 1])
  const end = () => seq(punct('##;'), NL())
  const statement = alt(
    [seq(kw.let, id(), op('='), expr(), end()), 4],
    [seq(kw.print, expr(), end()), 3],
    [seq(kw.if, id(), alt(op('>'), op('<'), op('==')), num(), punct('{'), NL(), kw.print, id(), end(), punct('}'), NL()), 1.5],
    [seq(kw.while, id(), op('<'), num(), punct('{'), NL(), id(), op('='), id(), op('+'), digits(1, ['code_number', 'number']), end(), punct('}'), NL()), 1],
    [seq(kw.fn, id(), punct('('), id(), punct(')'), punct('{'), NL(), kw.return, id(), op('*'), num(), end(), punct('}'), NL()), 1],
  )
  const fence = () => tok('```')
  // code_block covers what lies strictly between the fences: the line break after the opening fence included.
  return seq(fence(), span('code_block', seq(NL(), rep(statement, 2, 6))), fence(), NL())
}

export function codeDoc(L: Lang): GNode {
  const intro = L.ps(['Here is a small program : NL', '$name wrote this program : NL', 'This code can add : NL'])
  const outro = L.ps(['It prints a number .', 'The program is very small .', 'Run it and see !'])
  return seq(intro, codeBlock(), alt([seq(L.p('Then $name wrote another program : NL'), codeBlock()), 1], [seq(), 2]), outro)
}

// ---- HTML-like markup ------------------------------------------------------------------------------------------

const tag = (open: boolean, name: string): GNode => span('html_tag', seq(tok(open ? '<' : '</'), tok(`##${name}`), tok('##>')))
/** An element: its tags carry html_tag, what lies between them html_text. */
const element = (name: string, content: GNode): GNode => seq(tag(true, name), span('html_text', content), tag(false, name))

export function htmlDoc(L: Lang): GNode {
  const title = alt([L.p('The $arcBridge'), 3], [L.p('My $animal'), 2], L.p('$city'), L.p('News'))
  const sentence = sentences(
    L,
    [
      ['The $animal is $bold .', 2],
      ['The $arcBridge is $colourful .', 2],
      ['We love $italic in $city .', 1],
      ['The $animal is happy today .', 0.5, 'joy'],
      ['Keep this page secret .', 0.2, 'secrecy'],
    ],
    { bold: element('b', L.slots.adj!), colourful: element('b', L.slots.colour!), italic: element('i', L.slots.food!) },
  )
  const listItem = mapChoice(alt(L.slots.food!, L.slots.place!, L.slots.animal!), (c) => element('li', span('list_item', c)))
  const block = alt([element('p', rep(sentence, 1, 3)), 3], [element('ul', rep(listItem, 2, 4)), 2])
  return seq(element('h1', title), NL(), rep(seq(block, NL()), 2, 4))
}

// ---- sums ------------------------------------------------------------------------------------------------------

/** Every sum a math document can state, as explicit alternatives: the answer is then forced by the operands. */
function arithmetic(L: Lang, form: 'words' | 'symbols' | 'question'): GNode {
  const ops = [
    { word: 'plus', symbol: '+', pairs: pairs(0, 12, 0, 12, () => true), apply: (a: number, b: number) => a + b },
    { word: 'minus', symbol: '-', pairs: pairs(0, 12, 0, 12, (a, b) => b <= a), apply: (a: number, b: number) => a - b },
    { word: 'times', symbol: '*', pairs: pairs(1, 9, 1, 9, () => true), apply: (a: number, b: number) => a * b },
  ]
  const answer = (n: number) => span('arithmetic_answer', digits(n))
  return alt(
    ...ops.map((op) =>
      alt(
        ...op.pairs.map(([a, b]) => {
          const slots = { a: digits(a), b: digits(b), c: answer(op.apply(a, b)), op: form === 'symbols' ? tok(op.symbol) : L.w(op.word) }
          if (form === 'words') return seq(span('arithmetic', L.p('$a $op $b is $c', slots)), L.p('.'))
          if (form === 'symbols') return span('arithmetic', seq(L.p('$a $op $b', slots), tok('='), slots.c))
          return seq(span('question', L.p('What is', slots)), span(['question', 'arithmetic'], L.p('$a $op $b ?', slots)), span('arithmetic', slots.c), L.p('.'))
        }),
      ),
    ),
  )
}

function pairs(aMin: number, aMax: number, bMin: number, bMax: number, keep: (a: number, b: number) => boolean): [number, number][] {
  const out: [number, number][] = []
  for (let a = aMin; a <= aMax; a++) for (let b = bMin; b <= bMax; b++) if (keep(a, b)) out.push([a, b])
  return out
}

export function mathDoc(L: Lang): GNode {
  const intro = L.ps(['Some sums : NL', '$name is learning to add : NL', 'Here are the answers : NL'])
  const line = alt([arithmetic(L, 'words'), 3], [arithmetic(L, 'symbols'), 2], [arithmetic(L, 'question'), 1.5])
  return seq(intro, rep(seq(line, NL()), 5, 10), L.p('$name got every answer right .'))
}

// ---- secrets and base64-like codes -----------------------------------------------------------------------------

/**
 * The chunk tokens of base64-like strings: three characters each, with at least one capital so that no chunk is an
 * ordinal suffix, a tag name or a word, and first chunks with a digit so that no first chunk is a word. WordPiece's
 * greedy longest match then splits every string back into exactly these chunks.
 */
export const BASE64_CHUNKS = (() => {
  const rng = createWorldRng(0x6a09e667)
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'
  const draw = (ok: (s: string) => boolean, count: number, taken: Set<string>) => {
    const out: string[] = []
    while (out.length < count) {
      let s = ''
      for (let i = 0; i < 3; i++) s += alphabet[rng.int(alphabet.length)]
      if (ok(s) && !taken.has(s)) {
        taken.add(s)
        out.push(s)
      }
    }
    return out
  }
  const taken = new Set<string>()
  const first = draw((s) => /[A-Z]/.test(s) && /[0-9]/.test(s), 24, taken)
  const rest = draw((s) => /[A-Z]/.test(s), 40, taken)
  return Object.freeze({ first: Object.freeze(first), rest: Object.freeze(rest) })
})()

function base64(): GNode {
  const first = alt(...BASE64_CHUNKS.first.map((c) => tok(c)))
  const next = alt(...BASE64_CHUNKS.rest.map((c) => tok(`##${c}`)))
  const padding = alt([seq(), 2], [tok('##='), 1], [tok('##=='), 1])
  return span('base64', seq(first, rep(next, 2, 5), padding))
}

export function secretDoc(L: Lang): GNode {
  const S = { N: L.slots.name!, code: base64(), said: L.p('The password is $code . Tell nobody !', { code: base64() }) }
  const sentence = sentences(
    L,
    [
      ['$N whispered : « $said »', 2, 'secrecy'],
      ['The secret code is $code .', 2, 'secrecy'],
      ['$N wrote the code on a paper and hid it .', 1, 'secrecy'],
      ['$N lied : « I do not know any code . »', 0.7, 'deception'],
      ['$N sent a fake message : $code', 0.6, 'deception'],
      ['Later $N told the truth about the code .', 0.5, 'honesty'],
      ['It is dangerous to share the password .', 0.4, 'danger'],
      ['The message was : $code', 1],
    ],
    S,
  )
  return seq(L.p('A secret message : NL'), rep(seq(sentence, NL()), 4, 7))
}

export const formatDocs = (L: Lang): readonly (readonly [GNode, number, string])[] => [
  [listDoc(L), 7, 'list'],
  [codeDoc(L), 6, 'code'],
  [htmlDoc(L), 5, 'html'],
  [mathDoc(L), 5, 'math'],
  [secretDoc(L), 3, 'secret'],
]
