// Random contexts of the analysis corpus, shared by all features of one analysis: the "random" records on which
// automated interpretability scores an explanation (Bills et al. 2023 score on held-out top and random text).
// Stored once per file (token ids) with each feature's activations on them kept sparse, since a sparse feature is
// zero almost everywhere on random text.
import { z } from 'zod'
import { createRng } from '../generate/rng.ts'
import type { HookedModel } from '../model/hookedModel.ts'
import type { HookName } from '../model/hookNames.ts'
import type { Sae } from '../sae/sae.ts'
import { encodeWindows, type TokenWindow } from './encodeWindows.ts'

const count = z.number().int().nonnegative()

export const randomContextSchema = z.strictObject({ window: count, start: count, token_ids: z.array(count).min(1) })
export type RandomContext = z.infer<typeof randomContextSchema>

/** One feature's nonzero activations on the file's random contexts: parallel lists of (context, offset, value). */
export const randomValuesSchema = z
  .strictObject({ context: z.array(count), offset: z.array(count), value: z.array(z.number().finite()) })
  .superRefine((r, ctx) => {
    if (r.offset.length !== r.context.length || r.value.length !== r.context.length) ctx.addIssue({ code: 'custom', message: `context, offset and value must have equal lengths (${r.context.length}, ${r.offset.length}, ${r.value.length})` })
  })
export type RandomValues = z.infer<typeof randomValuesSchema>

/** Decorrelates the random-context draw from the quantile reservoirs, which use the analysis seed itself. */
const SEED_SALT = 0x52a1d0

/**
 * Draws `n` random contexts of `length` tokens (uniform window, then uniform start; BOS excluded when skipFirst),
 * runs the SAE on their windows and returns the contexts with every feature's nonzero activations on them.
 */
export async function randomContexts(args: {
  model: HookedModel
  sae: Sae
  hook: HookName
  windows: readonly TokenWindow[]
  n: number
  length: number
  skipFirst: boolean
  seed: number
  windowsPerPass: number
  round: (x: number) => number
}): Promise<{ contexts: RandomContext[]; values: RandomValues[] }> {
  const { windows, n, length, skipFirst } = args
  const dSae = args.sae.config.dSae
  const values: RandomValues[] = Array.from({ length: dSae }, () => ({ context: [], offset: [], value: [] }))
  if (n <= 0 || windows.length === 0) return { contexts: [], values }
  const first = skipFirst ? 1 : 0
  const rng = createRng(args.seed ^ SEED_SALT)
  const picks: { window: number; start: number; end: number }[] = []
  for (let i = 0; i < n; i++) {
    const window = Math.floor(rng.next() * windows.length)
    const w = windows[window]!
    const span = Math.min(length, w.length - first)
    const start = first + Math.floor(rng.next() * (w.length - first - span + 1))
    picks.push({ window, start, end: start + span })
  }
  const contexts: RandomContext[] = picks.map((p) => ({ window: p.window, start: p.start, token_ids: windows[p.window]!.slice(p.start, p.end) }))
  // The picked windows, a few at a time (as the statistics pass batches them); then each context's rows.
  const distinct = [...new Set(picks.map((p) => p.window))]
  const rowsOf = new Map<number, Float32Array>()
  for (let i = 0; i < distinct.length; i += args.windowsPerPass) {
    const chunk = distinct.slice(i, i + args.windowsPerPass)
    const data = await encodeWindows(args.model, args.sae, args.hook, chunk.map((w) => windows[w]!), skipFirst) // [rows, dSae]
    let row = 0
    for (const w of chunk) {
      const rows = windows[w]!.length - first
      rowsOf.set(w, data.subarray(row * dSae, (row + rows) * dSae))
      row += rows
    }
  }
  picks.forEach((p, c) => {
    const data = rowsOf.get(p.window)!
    for (let pos = p.start; pos < p.end; pos++) {
      const r = (pos - first) * dSae
      for (let j = 0; j < dSae; j++) {
        const v = data[r + j]!
        if (!(v > 0)) continue
        const list = values[j]!
        list.context.push(c)
        list.offset.push(pos - p.start)
        list.value.push(args.round(v))
      }
    }
  })
  return { contexts, values }
}
