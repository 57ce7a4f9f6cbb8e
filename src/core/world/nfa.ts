// Which tokens were forced: a Thompson automaton compiled from the same grammar the sampler walks.
// Following a document token by token, the automaton keeps every grammar path consistent with the text so far; the
// next token was forced when all those paths allow exactly one token next. Repeats compile as "min or more" and
// per-document bindings as their full choice, so the automaton accepts a superset of what the sampler can produce:
// it may call a determined token unforced, never the reverse.
import type { GNode } from './grammar.ts'

interface Closure {
  /** Tokens that can come next, ascending. */
  readonly tokens: Int32Array
  /** For each token, the states reached by reading it. */
  readonly targets: ReadonlyMap<number, Int32Array>
}

export class WorldAutomaton {
  private readonly tokenOf: number[] = [] // token id on the state's one token edge, or -1
  private readonly tokenNext: number[] = []
  private readonly eps: number[][] = []
  private readonly closures: (Closure | undefined)[] = []
  readonly start: number
  readonly accept: number

  /** `root` must already carry vocabulary ids on its tokens. */
  constructor(root: GNode) {
    this.start = this.newState()
    this.accept = this.compile(root, this.start)
  }

  get size(): number {
    return this.tokenOf.length
  }

  private newState(): number {
    this.tokenOf.push(-1)
    this.tokenNext.push(-1)
    this.eps.push([])
    return this.tokenOf.length - 1
  }

  /** Adds `node` after state `from`; returns its end state. */
  private compile(node: GNode, from: number): number {
    switch (node.k) {
      case 'tok': {
        if (node.id < 0) throw new Error(`Token "${node.text}" has no vocabulary id`)
        const to = this.newState()
        const edge = this.tokenOf[from] === -1 ? from : this.link(from)
        this.tokenOf[edge] = node.id
        this.tokenNext[edge] = to
        return to
      }
      case 'seq': {
        let at = from
        for (const item of node.items) at = this.compile(item, at)
        return at
      }
      case 'alt':
      case 'bind': {
        const options = node.k === 'alt' ? node.options : node.body.options
        const end = this.newState()
        for (const option of options) {
          const begin = this.link(from)
          this.eps[this.compile(option, begin)]!.push(end)
        }
        return end
      }
      case 'label':
        return this.compile(node.body, from)
      case 'rep': {
        // min ≥ 1: body then a loop back; min 0: the whole thing optional. (An upper bound is not enforced.)
        const loop = this.link(from)
        const bodyEnd = this.compile(node.body, loop)
        const end = this.newState()
        this.eps[bodyEnd]!.push(loop, end)
        if (node.min === 0) this.eps[from]!.push(end)
        return end
      }
    }
  }

  /** A fresh state reached from `from` by an epsilon edge. */
  private link(from: number): number {
    const s = this.newState()
    this.eps[from]!.push(s)
    return s
  }

  private closure(state: number): Closure {
    const cached = this.closures[state]
    if (cached) return cached
    const seen = new Set<number>([state])
    const stack = [state]
    const targets = new Map<number, number[]>()
    while (stack.length > 0) {
      const s = stack.pop()!
      const t = this.tokenOf[s]!
      if (t >= 0) {
        const list = targets.get(t)
        if (list) list.push(this.tokenNext[s]!)
        else targets.set(t, [this.tokenNext[s]!])
      }
      for (const e of this.eps[s]!) {
        if (!seen.has(e)) {
          seen.add(e)
          stack.push(e)
        }
      }
    }
    const tokens = Int32Array.from([...targets.keys()].sort((a, b) => a - b))
    const frozen = new Map<number, Int32Array>()
    for (const [t, list] of targets) frozen.set(t, Int32Array.from(new Set(list)))
    const closure = { tokens, targets: frozen }
    this.closures[state] = closure
    return closure
  }

  /** A cursor at the start of the grammar. */
  cursor(): AutomatonCursor {
    return new AutomatonCursor(this, [this.start])
  }

  /** @internal */
  closureOf(state: number): Closure {
    return this.closure(state)
  }
}

export class AutomatonCursor {
  constructor(
    private readonly automaton: WorldAutomaton,
    private states: number[],
  ) {}

  /** The tokens that may come next, ascending. */
  allowed(): number[] {
    const set = new Set<number>()
    for (const s of this.states) for (const t of this.automaton.closureOf(s).tokens) set.add(t)
    return [...set].sort((a, b) => a - b)
  }

  /** Whether only `token` may come next (call before `advance`). */
  isForced(token: number): boolean {
    for (const s of this.states) {
      const tokens = this.automaton.closureOf(s).tokens
      if (tokens.length !== 1 || tokens[0] !== token) return false
    }
    return this.states.length > 0
  }

  /** Reads `token`; throws if the grammar does not allow it here (a generator bug, never bad luck). */
  advance(token: number): void {
    const next: number[] = []
    const seen = new Set<number>()
    for (const s of this.states) {
      const targets = this.automaton.closureOf(s).targets.get(token)
      if (!targets) continue
      for (const t of targets) {
        if (!seen.has(t)) {
          seen.add(t)
          next.push(t)
        }
      }
    }
    if (next.length === 0) throw new Error(`TinyWorld automaton: token ${token} is not allowed here (allowed: ${this.allowed().slice(0, 20).join(', ')})`)
    this.states = next
  }
}
