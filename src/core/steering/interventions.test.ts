// Steering one activation: the error term makes reconstruction exact, clamping to the current value and adding 0
// change nothing, and clamping or adding moves x along the unit decoder direction by exactly the asked amount.
import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { selectBackend } from '../backend/backend.ts'
import { InvalidArgumentError } from '../errors.ts'
import { hookName } from '../model/hookNames.ts'
import type { HookFn } from '../model/hooks.ts'
import { maxAbsDiff, randomTensor } from '../sae/testing/random.ts'
import type { SaeArchitecture, SaeConfig } from '../sae/types.ts'
import { buildSteeringHooks, compileInterventions, resolveInterventions, type Intervention } from './interventions.ts'
import { steerActivation } from './steerActivation.ts'
import { D_MODEL, D_SAE, randomSae, take } from './testing/fixtures.ts'

beforeAll(async () => {
  await selectBackend(['wasm'])
})

const hook = hookName.residPost(0)
const x = () => randomTensor([2, 5, D_MODEL], 11) // [batch, pos, dModel]
const clamp = (index: number, value: number): Intervention => ({ index, mode: 'clamp', strength: { kind: 'absolute', value } })
const add = (index: number, value: number): Intervention => ({ index, mode: 'add', strength: { kind: 'absolute', value } })

/** Runs a steering hook as a forward pass would, over positions [offset, offset + pos). */
function runHook(fn: HookFn, act: tf.Tensor, offset = 0): tf.Tensor {
  return tf.tidy(() => fn(act, { name: hook, positionOffset: offset }) ?? tf.clone(act))
}

async function steer(sae: ReturnType<typeof randomSae>, act: tf.Tensor, interventions: Intervention[]): Promise<tf.Tensor> {
  return steerActivation(sae, await compileInterventions(sae, resolveInterventions(interventions, D_SAE)), act)
}

/** Unit decoder row j as an array. */
function unitDirection(sae: ReturnType<typeof randomSae>, j: number): number[] {
  const row = take<number[]>(tf.tidy(() => tf.gather(sae.weights.wDec, j)))
  const norm = Math.hypot(...row)
  return row.map((v) => v / norm)
}

const variants: [string, SaeArchitecture, Partial<SaeConfig>][] = [
  ['standard', 'standard', {}],
  ['topk rescaling by decoder norm', 'topk', { rescaleActsByDecoderNorm: true }],
  ['jumprelu', 'jumprelu', {}],
  ['standard with layer_norm inputs', 'standard', { normalizeActivations: 'layer_norm' }],
]

describe('steerActivation', () => {
  it.each(variants)('%s: SAE(x) + error(x) is x, and clamping to the current activation is a no-op', async (_, architecture, patch) => {
    const sae = randomSae(hook, { architecture, patch })
    const input = x()
    const before = tf.memory().numTensors
    const exact = take<number>(tf.tidy(() => tf.max(tf.abs(tf.sub(tf.add(sae.forward(input), sae.errorTerm(input)), input)))))
    expect(exact).toBeLessThan(1e-5)
    // One position at a time (a constant clamp equals the current value at one position only).
    const acts = take<number[][][]>(sae.featureActsScaled(input)) // [2, 5, dSae]
    const j = acts[1]![3]!.findIndex((v) => v > 0.05)
    expect(j).toBeGreaterThanOrEqual(0)
    const row = tf.slice(input, [1, 3, 0], [1, 1, D_MODEL]) // [1, 1, dModel]
    const same = await steer(sae, row, [clamp(j, acts[1]![3]![j]!)])
    const moved = await steer(sae, row, [clamp(j, acts[1]![3]![j]! + 1)])
    expect(maxAbsDiff(same, row)).toBeLessThan(1e-5)
    expect(maxAbsDiff(moved, row)).toBeGreaterThan(1e-2)
    tf.dispose([row, same, moved])
    expect(tf.memory().numTensors).toBe(before)
    input.dispose()
    sae.dispose()
  })

  it('moves x by (c − a)·d̂ when clamping and by c·d̂ when adding, jointly for several features', async () => {
    const sae = randomSae(hook)
    const input = x()
    const acts = take<number[][][]>(sae.featureActsScaled(input)) // [2, 5, dSae]
    const [j, k, m] = [2, 9, 20]
    const out = take<number[][][]>(await steer(sae, input, [clamp(j, 3), clamp(k, -1.5), add(m, 2.5), add(j, -0.5)]))
    const [dj, dk, dm] = [unitDirection(sae, j), unitDirection(sae, k), unitDirection(sae, m)]
    const xs = take<number[][][]>(input)
    let worst = 0
    for (let b = 0; b < 2; b++) {
      for (let p = 0; p < 5; p++) {
        const a = acts[b]![p]!
        for (let i = 0; i < D_MODEL; i++) {
          const expected = xs[b]![p]![i]! + (3 - a[j]!) * dj[i]! + (-1.5 - a[k]!) * dk[i]! + 2.5 * dm[i]! - 0.5 * dj[i]!
          worst = Math.max(worst, Math.abs(out[b]![p]![i]! - expected))
        }
      }
    }
    expect(worst).toBeLessThan(1e-4)
    sae.dispose()
  })

  it('adding 0 leaves x bit for bit', async () => {
    const sae = randomSae(hook)
    const input = x()
    const out = await steer(sae, input, [add(4, 0)])
    expect(take<number[]>(tf.reshape(out, [-1]))).toEqual(take<number[]>(tf.reshape(input, [-1])))
    tf.dispose([out, input])
    sae.dispose()
  })
})

describe('buildSteeringHooks', () => {
  it('steers only the positions its policy names, whatever slice of the sequence a call sees', async () => {
    const sae = randomSae(hook)
    const input = x() // positions 0–4
    const built = {
      all: await buildSteeringHooks(sae, hook, [clamp(1, 8)], { promptLength: 3, positions: 'all' }),
      allSkip: await buildSteeringHooks(sae, hook, [clamp(1, 8)], { promptLength: 3, positions: 'all', skipFirstPosition: true }),
      prompt: await buildSteeringHooks(sae, hook, [clamp(1, 8)], { promptLength: 3, positions: 'prompt' }),
      generated: await buildSteeringHooks(sae, hook, [clamp(1, 8)], { promptLength: 3, positions: 'generated' }),
    }
    const hooks = (positions: 'prompt' | 'generated' | 'all', skipFirstPosition = false) =>
      built[positions === 'all' && skipFirstPosition ? 'allSkip' : positions][hook] as HookFn
    const changed = (fn: HookFn, act: tf.Tensor, offset = 0) => {
      const out = runHook(fn, act, offset)
      const diff = take<number[][]>(tf.tidy(() => tf.max(tf.abs(tf.sub(out, act)), 2))) // [batch, pos]
      out.dispose()
      return diff[0]!.map((v, p) => (v > 1e-3 ? p + offset : -1)).filter((p) => p >= 0)
    }
    const before = tf.memory().numTensors
    expect(changed(hooks('all'), input)).toEqual([0, 1, 2, 3, 4])
    expect(changed(hooks('all', true), input)).toEqual([1, 2, 3, 4])
    expect(changed(hooks('prompt'), input)).toEqual([0, 1, 2])
    expect(changed(hooks('generated'), input)).toEqual([3, 4])
    // A KV-cache step sees positions [offset, offset + n) only.
    const tail = tf.slice(input, [0, 2, 0], [2, 3, D_MODEL]) // absolute positions 2–4
    expect(changed(hooks('prompt'), tail, 2)).toEqual([2])
    expect(changed(hooks('generated'), tail, 2)).toEqual([3, 4])
    expect(hooks('prompt')(tf.slice(input, [0, 4, 0], [2, 1, D_MODEL]), { name: hook, positionOffset: 4 })).toBeUndefined()
    tail.dispose()
    expect(tf.memory().numTensors).toBe(before + 1) // the one slice passed straight to the hook above
    input.dispose()
    sae.dispose()
  })

  it('turns multiples of max activation into values and refuses what it cannot do', async () => {
    const maxActs = new Map([[5, 2]])
    expect(resolveInterventions([{ index: 5, mode: 'clamp', strength: { kind: 'maxMultiple', multiple: -3 } }], D_SAE, maxActs)).toEqual([
      { index: 5, mode: 'clamp', value: -6 },
    ])
    expect(resolveInterventions([{ index: 1, mode: 'add', strength: { kind: 'maxMultiple', multiple: 2 } }], D_SAE, [0, 1.5])[0]!.value).toBe(3)
    const bad = (interventions: Intervention[], acts?: Map<number, number>) => () => resolveInterventions(interventions, D_SAE, acts)
    expect(bad([{ index: 6, mode: 'clamp', strength: { kind: 'maxMultiple', multiple: 5 } }], maxActs)).toThrow(/max activation/)
    expect(bad([{ index: 6, mode: 'clamp', strength: { kind: 'maxMultiple', multiple: 5 } }], new Map([[6, 0]]))).toThrow(/never activates/)
    expect(bad([clamp(D_SAE, 1)])).toThrow(InvalidArgumentError)
    expect(bad([clamp(-1, 1)])).toThrow(/integer ≥ 0/)
    expect(bad([clamp(3, 1), clamp(3, 2)])).toThrow(/twice/)
    expect(bad([clamp(3, Number.NaN)])).toThrow(/finite/)
    expect(bad([{ index: 3, mode: 'ablate' as 'clamp', strength: { kind: 'absolute', value: 0 } }])).toThrow(/mode/)
    const sae = randomSae(hook)
    await expect(buildSteeringHooks(sae, hook, [clamp(1, 1)], { promptLength: 0 })).rejects.toThrow(/promptLength/)
    expect(await buildSteeringHooks(sae, hook, [], { promptLength: 3 })).toEqual({})
    sae.dispose()
  })
})
