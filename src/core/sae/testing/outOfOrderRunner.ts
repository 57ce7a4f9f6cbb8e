// A PassRunner for tests: computes each pass on the given model on this thread, but answers after a delay that
// shrinks within each group of `size` passes, so later passes finish first, as worker threads may. Counts its calls
// and the most passes it had in flight at once.
import type { HookedModel } from '../../model/hookedModel.ts'
import type { HookName } from '../../model/hookNames.ts'
import { windowActivationData, type PassRunner } from '../activationStore.ts'

export interface CountingRunner extends PassRunner {
  readonly calls: number
  readonly most: number
}

export function outOfOrderRunner(model: HookedModel, hook: HookName, opts: { size: number; skipFirst: boolean; stepMs?: number }): CountingRunner {
  const step = opts.stepMs ?? 8
  let calls = 0
  let inFlight = 0
  let most = 0
  return {
    size: opts.size,
    get calls() {
      return calls
    },
    get most() {
      return most
    },
    async run(windows) {
      const delay = step * (opts.size - (calls++ % opts.size))
      inFlight++
      most = Math.max(most, inFlight)
      await new Promise((resolve) => setTimeout(resolve, delay))
      inFlight--
      return windowActivationData(model, hook, windows, { skipFirst: opts.skipFirst })
    },
  }
}
