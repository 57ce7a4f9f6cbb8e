// The y range and ticks of a training chart, as pure functions (unit-tested): a fraction (dead latents, CE loss
// recovered) spans 0–100% and only grows past it where the data does; other metrics round their range outwards.
import { scaleLinear } from 'd3-scale'

/** 'fraction': a share in [0, 1] shown as a percentage; 'value': any non-negative-ish number (loss, L0, …). */
export type ChartKind = 'fraction' | 'value'

/**
 * The y domain [lo, hi] for these values. A fraction keeps 0% and 100% as its edges, so 8.6% reads as small and
 * 95% as nearly all; only a side the data passes (CE loss recovered is negative early: the SAE's splice hurts more
 * than zero-ablation) is rounded outwards. Never `.nice()` over [0, 1]: with three ticks that rounds 1 up to 2 (200%).
 */
export function yDomain(ys: readonly number[], kind: ChartKind): [number, number] {
  const finite = ys.filter(Number.isFinite)
  if (kind === 'fraction') {
    const lo = Math.min(0, ...finite)
    const hi = Math.max(1, ...finite)
    const nice = (a: number, b: number) => scaleLinear().domain([a, b]).nice(4).domain() as [number, number]
    return [lo < 0 ? nice(lo, 1)[0] : 0, hi > 1 ? nice(0, hi)[1] : 1]
  }
  if (finite.length === 0) return [0, 1]
  const lo = Math.min(0, ...finite)
  const max = Math.max(...finite)
  const hi = max === lo ? lo + 1 : max
  return scaleLinear().domain([lo, hi]).nice(3).domain() as [number, number]
}

/** Tick values inside the domain, its two edges always among them (the edges are what a reader checks first). */
export function yTicks(domain: [number, number]): number[] {
  const [lo, hi] = domain
  const inner = scaleLinear().domain(domain).ticks(3)
  const span = hi - lo
  // An inner tick within a tenth of the span of an edge would print over it.
  const ticks = [lo, ...inner.filter((t) => t - lo > span / 10 && hi - t > span / 10), hi]
  return ticks
}
