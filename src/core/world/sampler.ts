// Walks the grammar with the world's PRNG, emitting token ids and, when asked, each token's concept set.
import type { ConceptId } from './concepts.ts'
import type { GNode } from './grammar.ts'
import type { WorldRng } from './prng.ts'

export class Sampler {
  readonly ids: number[] = []
  readonly concepts: ConceptId[][] = []
  /** −log probability of the choices made so far: what an ideal model that knew the grammar would pay, at most. */
  nats = 0
  private readonly bindings = new Map<string, number>()
  private readonly labelStack: (readonly ConceptId[])[] = []
  private active: readonly ConceptId[] = []

  constructor(
    private readonly rng: WorldRng,
    private readonly withLabels: boolean,
  ) {}

  sample(node: GNode): void {
    switch (node.k) {
      case 'tok':
        this.ids.push(node.id)
        if (this.withLabels) this.concepts.push(node.concepts.length === 0 ? this.active.slice() : merge(this.active, node.concepts))
        return
      case 'seq':
        for (const item of node.items) this.sample(item)
        return
      case 'alt':
        this.sample(node.options[this.choose(node.cumulative)]!)
        return
      case 'rep': {
        const count = node.min + this.rng.int(node.max - node.min + 1)
        this.nats += Math.log(node.max - node.min + 1)
        if (node.body.k !== 'alt') {
          for (let i = 0; i < count; i++) this.sample(node.body)
          return
        }
        // A repeated choice never picks the same option twice running ("The cat is red. The cat is red."). The
        // automaton still allows repeats: a subset of its language, so forced flags stay honest.
        let last = -1
        for (let i = 0; i < count; i++) {
          last = this.choose(node.body.cumulative, last)
          this.sample(node.body.options[last]!)
        }
        return
      }
      case 'label':
        if (!this.withLabels) return this.sample(node.body)
        this.labelStack.push(node.concepts)
        this.active = merge(this.active, node.concepts)
        this.sample(node.body)
        this.labelStack.pop()
        this.active = this.labelStack.reduce<readonly ConceptId[]>((acc, c) => merge(acc, c), [])
        return
      case 'bind': {
        let index = this.bindings.get(node.key)
        if (index === undefined) {
          index = this.choose(node.body.cumulative)
          this.bindings.set(node.key, index)
        }
        this.sample(node.body.options[index]!)
        return
      }
    }
  }

  /** Index of a weighted choice (binary search over cumulative weights), never `exclude` when there is another. */
  private choose(cumulative: readonly number[], exclude = -1): number {
    const weight = (i: number) => cumulative[i]! - (i > 0 ? cumulative[i - 1]! : 0)
    const total = cumulative[cumulative.length - 1]!
    const skipped = exclude >= 0 && cumulative.length > 1 ? weight(exclude) : 0
    // Draw in [0, total - skipped) and step over the excluded option's interval.
    let r = this.rng.next() * (total - skipped)
    if (skipped > 0 && r >= cumulative[exclude]! - skipped) r += skipped
    let lo = 0
    let hi = cumulative.length - 1
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (cumulative[mid]! > r) hi = mid
      else lo = mid + 1
    }
    this.nats -= Math.log(weight(lo) / (total - skipped))
    return lo
  }
}

/** Union of two ascending id lists, ascending. */
function merge(a: readonly ConceptId[], b: readonly ConceptId[]): ConceptId[] {
  const out: ConceptId[] = []
  let i = 0
  let j = 0
  while (i < a.length || j < b.length) {
    const x = i < a.length ? a[i]! : Infinity
    const y = j < b.length ? b[j]! : Infinity
    if (x === y) {
      out.push(x as ConceptId)
      i++
      j++
    } else if (x < y) out.push(a[i++]!)
    else out.push(b[j++]!)
  }
  return out
}
