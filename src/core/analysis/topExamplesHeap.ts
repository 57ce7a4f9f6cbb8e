// Per-feature min-heaps of the K best (value, window, position) examples, each with its context activations,
// in flat typed arrays: one object per feature would cost more than the data for SAEs of 16k+ features.
import { InvalidArgumentError } from '../errors.ts'
import { checkActivationRows } from '../limitChecks.ts'

export interface HeapEntry {
  value: number
  window: number
  position: number
  /** Activations at positions position − before … position + after; NaN outside the window. */
  context: Float32Array
}

/**
 * The order is total, so the K kept equal a brute-force sort: higher value first, then earlier window, then
 * earlier position. Windows arrive in order, so a later example that only ties the worst kept one never enters.
 */
export class TopExamplesHeap {
  readonly nFeatures: number
  readonly k: number
  readonly contextLength: number
  private readonly value: Float32Array // [nFeatures·k], by slot
  private readonly window: Int32Array // [nFeatures·k]
  private readonly position: Int32Array // [nFeatures·k]
  private readonly context: Float32Array // [nFeatures·k·contextLength]
  /** heap[j·k + h] = the slot at heap node h; swaps move slot ids, never contexts. */
  private readonly heap: Int32Array // [nFeatures·k]
  private readonly size: Int32Array // [nFeatures]

  constructor(nFeatures: number, k: number, contextLength: number) {
    for (const [name, v] of [['nFeatures', nFeatures], ['k', k], ['contextLength', contextLength]] as const) {
      if (!Number.isInteger(v) || v < (name === 'k' ? 0 : 1)) throw new InvalidArgumentError(`${name} must be a ${name === 'k' ? 'non-negative' : 'positive'} integer, got ${v}`)
    }
    // Each kept example holds its context: features × k rows of contextLength floats.
    checkActivationRows(nFeatures * k, contextLength, `The top ${k} examples of ${nFeatures} features (fewer top examples, or a shorter context)`)
    this.nFeatures = nFeatures
    this.k = k
    this.contextLength = contextLength
    const n = nFeatures * k
    this.value = new Float32Array(n)
    this.window = new Int32Array(n)
    this.position = new Int32Array(n)
    this.context = new Float32Array(n * contextLength)
    this.heap = new Int32Array(n)
    this.size = new Int32Array(nFeatures)
  }

  /** Whether (value, window, position) would enter feature j's heap. */
  accepts(j: number, value: number): boolean {
    if (this.k === 0) return false
    if (this.size[j]! < this.k) return true
    return value > this.value[j * this.k + this.heap[j * this.k]!]! // a tie loses: it comes from a later window
  }

  /**
   * Inserts the example (evicting the worst when full) and returns the context row to fill, or null when it does
   * not enter. Call only with examples in corpus order.
   */
  offer(j: number, value: number, window: number, position: number): Float32Array | null {
    if (!this.accepts(j, value)) return null
    const base = j * this.k
    let slot: number
    if (this.size[j]! < this.k) {
      slot = this.size[j]!
      this.heap[base + slot] = slot
      this.size[j]! += 1
      this.write(base + slot, value, window, position)
      this.siftUp(base, slot)
    } else {
      slot = this.heap[base]!
      this.write(base + slot, value, window, position)
      this.siftDown(base, 0, this.k)
    }
    const at = (base + slot) * this.contextLength
    return this.context.subarray(at, at + this.contextLength)
  }

  /** Feature j's examples, best first (copies). */
  sorted(j: number): HeapEntry[] {
    const base = j * this.k
    const out: HeapEntry[] = []
    for (let h = 0; h < this.size[j]!; h++) {
      const s = base + this.heap[base + h]!
      out.push({ value: this.value[s]!, window: this.window[s]!, position: this.position[s]!, context: this.context.slice(s * this.contextLength, (s + 1) * this.contextLength) })
    }
    return out.sort((a, b) => b.value - a.value || a.window - b.window || a.position - b.position)
  }

  private write(s: number, value: number, window: number, position: number): void {
    this.value[s] = value
    this.window[s] = window
    this.position[s] = position
  }

  /** Slot a is worse than slot b (absolute indices). */
  private worse(a: number, b: number): boolean {
    const va = this.value[a]!
    const vb = this.value[b]!
    if (va !== vb) return va < vb
    const wa = this.window[a]!
    const wb = this.window[b]!
    return wa !== wb ? wa > wb : this.position[a]! > this.position[b]!
  }

  private siftUp(base: number, h: number): void {
    const heap = this.heap
    while (h > 0) {
      const parent = (h - 1) >> 1
      if (!this.worse(base + heap[base + h]!, base + heap[base + parent]!)) break
      const t = heap[base + h]!
      heap[base + h] = heap[base + parent]!
      heap[base + parent] = t
      h = parent
    }
  }

  private siftDown(base: number, h: number, n: number): void {
    const heap = this.heap
    for (;;) {
      const l = 2 * h + 1
      if (l >= n) break
      const r = l + 1
      let c = l
      if (r < n && this.worse(base + heap[base + r]!, base + heap[base + l]!)) c = r
      if (!this.worse(base + heap[base + c]!, base + heap[base + h]!)) break
      const t = heap[base + h]!
      heap[base + h] = heap[base + c]!
      heap[base + c] = t
      h = c
    }
  }
}
