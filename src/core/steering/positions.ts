// Which sequence positions a steering hook touches: prompt, generated or all, with or without a leading BOS,
// worked out from absolute positions so that a KV-cache step (which sees only its new positions) agrees with a
// full recompute of the whole sequence.

export type PositionPolicy = 'prompt' | 'generated' | 'all'

export const POSITION_POLICIES: readonly PositionPolicy[] = Object.freeze(['prompt', 'generated', 'all'])

/** Absolute positions [start, end) to steer; end is Infinity for policies that reach into generation. */
export interface PositionWindow {
  readonly start: number
  readonly end: number
}

/**
 * 'generated' means positions that hold generated tokens (absolute position ≥ promptLength). The first generated
 * token is predicted from the last prompt position, so 'generated' first changes the second generated token.
 * `skipFirst`: leave position 0 alone (its BOS; SAELens trains without it, and steering it tends to break models).
 */
export function positionWindow(policy: PositionPolicy, promptLength: number, skipFirst: boolean): PositionWindow {
  const first = skipFirst ? 1 : 0
  switch (policy) {
    case 'prompt':
      return { start: first, end: Math.max(first, promptLength) }
    case 'generated':
      return { start: Math.max(first, promptLength), end: Infinity }
    case 'all':
      return { start: first, end: Infinity }
  }
}

/**
 * The part of one hook call to steer, relative to the call: the call covers absolute positions
 * [offset, offset + length) (offset is HookContext.positionOffset). Null when nothing in it is steered.
 */
export function windowSlice(window: PositionWindow, offset: number, length: number): { start: number; size: number } | null {
  const lo = Math.max(window.start, offset)
  const hi = Math.min(window.end, offset + length)
  return hi > lo ? { start: lo - offset, size: hi - lo } : null
}
