// The forced-token automaton on grammars small enough to check by hand.
import { describe, expect, it } from 'vitest'
import { alt, bind, forEachTok, rep, seq, tok, type GNode } from './grammar.ts'
import { WorldAutomaton } from './nfa.ts'

/** Gives each distinct token text an id (a=1, b=2, …) and returns the automaton plus a text → id lookup. */
function build(root: GNode) {
  const ids = new Map<string, number>()
  forEachTok(root, (t) => {
    if (!ids.has(t.text)) ids.set(t.text, ids.size + 1)
    t.id = ids.get(t.text)!
  })
  return { automaton: new WorldAutomaton(root), id: (text: string) => ids.get(text)! }
}

/** Forced flags along a token path. */
function forcedAlong(root: GNode, path: string) {
  const { automaton, id } = build(root)
  const cursor = automaton.cursor()
  return path.split(' ').map((t) => {
    const forced = cursor.isForced(id(t))
    cursor.advance(id(t))
    return forced
  })
}

describe('WorldAutomaton', () => {
  it('calls a token forced only when every path consistent with the prefix allows just that token', () => {
    // "a b c" or "a b d": after "a" only "b" can follow; after "a b" two tokens can.
    const g = seq(alt(seq(tok('a'), tok('b'), tok('c')), seq(tok('a'), tok('b'), tok('d'))), tok('end'))
    expect(forcedAlong(g, 'a b c end')).toEqual([true, true, false, true])
  })

  it('sees through choices made before their tokens appear (a hidden template choice does not force anything)', () => {
    // Template 1 "x is y", template 2 "x was y": "is" must not count as forced even though template 1 fixes it.
    const g = alt(seq(tok('x'), tok('is'), tok('y')), seq(tok('x'), tok('was'), tok('y')), seq(tok('z'), tok('is'), tok('y')))
    expect(forcedAlong(g, 'x is y')).toEqual([false, false, true])
    expect(forcedAlong(g, 'x was y')).toEqual([false, false, true])
    expect(forcedAlong(g, 'z is y')).toEqual([false, true, true])
  })

  it('treats repeats as open-ended, so a token that may or may not repeat is never forced', () => {
    const g = seq(tok('start'), rep(tok('x'), 2, 2), tok('stop'))
    // The sampler always draws exactly two x, but the automaton allows any count ≥ 2: a superset, so no false claims.
    expect(forcedAlong(g, 'start x x stop')).toEqual([true, true, false, false])
    expect(forcedAlong(seq(tok('s'), rep(tok('x'), 0, 3), tok('t')), 's t')).toEqual([true, false])
  })

  it('treats a per-document binding as the full choice it was drawn from', () => {
    const name = () => bind('hero', alt(tok('Ann'), tok('Bo')))
    const g = seq(name(), tok('and'), name(), tok('.'))
    expect(forcedAlong(g, 'Ann and Ann .')).toEqual([false, true, false, true])
  })

  it('rejects a token the grammar does not allow: generator bugs fail loudly', () => {
    const { automaton, id } = build(seq(tok('a'), tok('b')))
    const cursor = automaton.cursor()
    cursor.advance(id('a'))
    expect(cursor.allowed()).toEqual([id('b')])
    expect(() => cursor.advance(id('a'))).toThrow(/not allowed/)
  })
})
