// The offline explanation's grammar, shared by the explainer that writes it and the simulator that reads it:
//   [concept "NAME": ]«tok», «tok»[ after «cue», «cue»]
// Tokens are shown trimmed; matching ignores case and surrounding whitespace, so an explanation a user edits by
// hand in the same grammar is simulated the same way.

export interface TokenPattern {
  /** Tokens the feature fires on (normalised). */
  fires: string[]
  /** Tokens of which one must precede a firing token (normalised); empty: no context needed. */
  after: string[]
  concept: string | null
}

/** How a token is matched: case-folded, surrounding whitespace dropped (GPT-2's leading space included). */
export const normaliseToken = (token: string): string => token.trim().toLowerCase()

/** How a token is shown inside «»: trimmed, newlines visible, a whitespace-only token kept as its escape. */
export function displayToken(token: string): string {
  const t = token.trim()
  if (t !== '') return t.replace(/[«»]/g, '"')
  return JSON.stringify(token).slice(1, -1)
}

/** Inverse of displayToken for whitespace tokens: what a «\n» in the text stands for, normalised. */
function tokenFromDisplay(shown: string): string {
  if (/^(\\[nrt]|\s)+$/.test(shown) || shown === '') return shown.replace(/\\n/g, '\n').replace(/\\t/g, '\t').replace(/\\r/g, '\r')
  return normaliseToken(shown)
}

const quoted = (s: string): string[] => [...s.matchAll(/«([^»]*)»/g)].map((m) => tokenFromDisplay(m[1]!))

export function formatPattern(p: { fires: readonly string[]; after: readonly string[]; concept: string | null }): string {
  const list = (ts: readonly string[]) => ts.map((t) => `«${displayToken(t)}»`).join(', ')
  const head = p.concept === null ? '' : `concept "${p.concept.replace(/"/g, "'")}": `
  return `${head}${list(p.fires)}${p.after.length ? ` after ${list(p.after)}` : ''}`
}

/** Reads the grammar back; text outside it yields a pattern with no tokens (a simulator then predicts nothing). */
export function parsePattern(text: string): TokenPattern {
  const concept = /^concept "([^"]*)":/.exec(text)?.[1] ?? null
  const body = concept === null ? text : text.slice(text.indexOf(':') + 1)
  const cut = body.indexOf(' after «')
  const fires = quoted(cut < 0 ? body : body.slice(0, cut))
  const after = cut < 0 ? [] : quoted(body.slice(cut))
  return { fires, after, concept }
}
