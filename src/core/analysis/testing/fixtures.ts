// Test fixtures: a tiny seeded GPT-2, tiny random SAEs on its residual stream, token windows, and a brute-force
// scan of every activation computed independently of the streaming pass (one runWithCache per window).
import * as tf from '@tensorflow/tfjs'
import { createRng } from '../../generate/rng.ts'
import { tfjsModelFromTensors } from '../../model/tfjsEngine.ts'
import type { HookedModel } from '../../model/hookedModel.ts'
import { hookName, type HookName } from '../../model/hookNames.ts'
import { Sae } from '../../sae/sae.ts'
import { randomArray } from '../../sae/testing/random.ts'
import { defaultSaeConfig } from '../../sae/types.ts'
import { makeTinyGpt2 } from '../../testing/tinyModel.ts'

export const BOS = 0

export function tinyModel(opts: { untiedLmHead?: boolean } = {}): HookedModel {
  const t = makeTinyGpt2({ seed: 3, nLayers: 2, dModel: 16, nHeads: 2, vocab: 50, nCtx: 16, untiedLmHead: opts.untiedLmHead })
  return tfjsModelFromTensors(t.config, t.tensors)
}

export const TINY_HOOK: HookName = hookName.residPost(0)

/** A standard SAE with random weights; feature 0 is dead (b_enc −1000), the rest fire on roughly a third of tokens. */
export function tinySae(seed: number, dSae = 24, dIn = 16): Sae {
  const bEnc = randomArray(dSae, seed + 2, 0.3, -0.4)
  bEnc[0] = -1000
  const config = defaultSaeConfig('standard', dIn, dSae)
  config.metadata.hookName = TINY_HOOK
  return Sae.fromArrays(config, {
    wEnc: randomArray(dIn * dSae, seed, 1 / Math.sqrt(dIn)),
    wDec: randomArray(dSae * dIn, seed + 1, 0.5),
    bEnc,
    bDec: randomArray(dIn, seed + 3, 0.1),
    threshold: null,
  })
}

/** BOS-first windows of 4–16 tokens (ids 1…49). */
export function tinyWindows(n: number, seed: number): number[][] {
  const rng = createRng(seed)
  return Array.from({ length: n }, () => [BOS, ...Array.from({ length: 3 + Math.floor(rng.next() * 13) }, () => 1 + Math.floor(rng.next() * 49))])
}

/** acts[w][p][j]: feature j's scaled activation at position p of window w (undefined at skipped BOS positions). */
export async function bruteForceActs(model: HookedModel, sae: Sae, hook: HookName, windows: number[][], skipFirst = true): Promise<number[][][]> {
  const out: number[][][] = []
  for (const w of windows) {
    const { logits, cache } = await model.runWithCache([w], [hook])
    const act = cache.get(hook)!
    const f = sae.featureActsScaled(act) // [1, len, dSae]
    const rows = ((await f.array()) as number[][][])[0]!
    tf.dispose([logits, act, f, ...cache.values()])
    out.push(skipFirst ? [undefined as unknown as number[], ...rows.slice(1)] : rows)
  }
  return out
}
