// TinyWorld's grammar: a small tree of token literals, sequences, weighted choices, repeats, concept spans and
// per-document bindings. One tree both samples documents (sampler.ts) and says which tokens were forced (nfa.ts),
// so the forced flags cannot drift away from what the generator actually does.
import type { ConceptId } from './concepts.ts'

/** A literal token. `text` is the vocabulary entry ('cat', '##.'); `concepts` are closed under parents. */
export interface TokNode {
  readonly k: 'tok'
  readonly text: string
  readonly concepts: readonly ConceptId[]
  /** Vocabulary id, filled in once the vocabulary is known (world.ts). */
  id: number
}
export interface SeqNode {
  readonly k: 'seq'
  readonly items: readonly GNode[]
}
export interface AltNode {
  readonly k: 'alt'
  readonly options: readonly GNode[]
  /** Cumulative weights, last = total: sampling is one draw and a short scan. */
  readonly cumulative: readonly number[]
}
/** `min`..`max` copies of `body`, count uniform. The forced-token automaton allows any count ≥ min (a superset). */
export interface RepNode {
  readonly k: 'rep'
  readonly body: GNode
  readonly min: number
  readonly max: number
}
/** Every token sampled inside `body` carries `concepts` (closed under parents). */
export interface LabelNode {
  readonly k: 'label'
  readonly concepts: readonly ConceptId[]
  readonly body: GNode
}
/**
 * A choice made once per document: the first time `key` is met an option of `body` is drawn, later meetings replay
 * the same option index (possibly of a capitalised copy of the same alternatives). Options must be deterministic.
 */
export interface BindNode {
  readonly k: 'bind'
  readonly key: string
  readonly body: AltNode
}
export type GNode = TokNode | SeqNode | AltNode | RepNode | LabelNode | BindNode

export const EMPTY: SeqNode = Object.freeze({ k: 'seq', items: Object.freeze([]) }) as SeqNode

export function tok(text: string, concepts: readonly ConceptId[] = []): TokNode {
  if (text.length === 0 || /\s/.test(text.replace(/^##\n$/, ''))) throw new Error(`Bad token text ${JSON.stringify(text)}`)
  return { k: 'tok', text, concepts: [...new Set(concepts)].sort((a, b) => a - b), id: -1 }
}

export function seq(...items: GNode[]): GNode {
  const flat: GNode[] = []
  for (const item of items) {
    if (item.k === 'seq') flat.push(...item.items)
    else flat.push(item)
  }
  return flat.length === 1 ? flat[0]! : { k: 'seq', items: flat }
}

/** Weighted choice: `alt([node, weight], …)`, or plain nodes for equal weights. */
export function alt(...options: (GNode | readonly [GNode, number])[]): GNode {
  const nodes: GNode[] = []
  const cumulative: number[] = []
  let total = 0
  for (const option of options) {
    const [node, weight] = Array.isArray(option) ? (option as readonly [GNode, number]) : [option as GNode, 1]
    if (!(weight > 0)) throw new Error(`Choice weights must be positive, got ${weight}`)
    total += weight
    nodes.push(node)
    cumulative.push(total)
  }
  if (nodes.length === 0) throw new Error('A choice needs at least one option')
  return nodes.length === 1 ? nodes[0]! : { k: 'alt', options: nodes, cumulative }
}

/**
 * `wrap` applied to each option of a choice (or to a node that is not one), weights kept: lets a repeat draw whole
 * wrapped items, so the sampler's no-immediate-repeat rule sees them (a list never names the same thing twice running).
 */
export function mapChoice(node: GNode, wrap: (option: GNode) => GNode): GNode {
  if (node.k !== 'alt') return wrap(node)
  return { k: 'alt', options: node.options.map(wrap), cumulative: node.cumulative }
}

export function rep(body: GNode, min: number, max: number): RepNode {
  if (!(Number.isInteger(min) && Number.isInteger(max) && min >= 0 && max >= min)) throw new Error(`Bad repeat ${min}..${max}`)
  return { k: 'rep', body, min, max }
}

export function label(concepts: readonly ConceptId[], body: GNode): LabelNode {
  return { k: 'label', concepts: [...new Set(concepts)].sort((a, b) => a - b), body }
}

export function bind(key: string, body: GNode): BindNode {
  const choice: AltNode = body.k === 'alt' ? body : { k: 'alt', options: [body], cumulative: [1] }
  for (const option of choice.options) {
    if (!isDeterministic(option)) throw new Error(`Bound choice "${key}" has an option that makes further random choices`)
  }
  return { k: 'bind', key, body: choice }
}

export function isDeterministic(node: GNode): boolean {
  switch (node.k) {
    case 'tok':
      return true
    case 'seq':
      return node.items.every(isDeterministic)
    case 'alt':
      return false
    case 'rep':
      return node.min === node.max && isDeterministic(node.body)
    case 'label':
      return isDeterministic(node.body)
    case 'bind':
      return false
  }
}

const capitalise = (text: string): string => (/^[a-z]/.test(text) ? text[0]!.toUpperCase() + text.slice(1) : text)

/** The same node with its first token capitalised (sentence starts). Tokens already capitalised are kept. */
export function capFirst(node: GNode): GNode {
  switch (node.k) {
    case 'tok': {
      const text = capitalise(node.text)
      return text === node.text ? node : tok(text, node.concepts)
    }
    case 'seq':
      return node.items.length === 0 ? node : { k: 'seq', items: [capFirst(node.items[0]!), ...node.items.slice(1)] }
    case 'alt':
      return { k: 'alt', options: node.options.map(capFirst), cumulative: node.cumulative }
    case 'label':
      return { k: 'label', concepts: node.concepts, body: capFirst(node.body) }
    case 'bind':
      return { k: 'bind', key: node.key, body: capFirst(node.body) as AltNode }
    case 'rep':
      throw new Error('Cannot capitalise the start of a repeat')
  }
}

/** Calls `visit` on every token node of the tree (shared subtrees once per path). */
export function forEachTok(node: GNode, visit: (t: TokNode) => void): void {
  switch (node.k) {
    case 'tok':
      visit(node)
      return
    case 'seq':
      for (const item of node.items) forEachTok(item, visit)
      return
    case 'alt':
      for (const option of node.options) forEachTok(option, visit)
      return
    case 'rep':
    case 'label':
      forEachTok(node.body, visit)
      return
    case 'bind':
      forEachTok(node.body, visit)
      return
  }
}
