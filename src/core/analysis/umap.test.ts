// The UMAP layout is a pure function of its inputs and seed, keeps clusters of decoder directions together,
// remembers which SAE each point came from, cancels, and leaks no tensors.
import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { selectBackend } from '../backend/backend.ts'
import { CancelledError } from '../errors.ts'
import { createRng } from '../generate/rng.ts'
import { parseFeatureMap } from './format.ts'
import { featureMapFile, umapLayout } from './umap.ts'

beforeAll(async () => {
  await selectBackend(['wasm'])
})

/** n rows around one of three random centres each (cluster = row % 3), with a little noise. */
function clustered(n: number, d: number, seed: number): { data: Float32Array; cluster: number[] } {
  const rng = createRng(99) // the same centres for every SAE
  const centres = Array.from({ length: 3 }, () => Array.from({ length: d }, () => rng.nextNormal()))
  const noise = createRng(seed)
  const data = new Float32Array(n * d)
  const cluster: number[] = []
  for (let i = 0; i < n; i++) {
    cluster.push(i % 3)
    for (let t = 0; t < d; t++) data[i * d + t] = centres[i % 3]![t]! + 0.25 * noise.nextNormal()
  }
  return { data, cluster }
}

describe('umapLayout', () => {
  it('is identical for a seed, different for another, and keeps clusters together across two SAEs', async () => {
    const d = 8
    const a = clustered(45, d, 1)
    const b = clustered(30, d, 2)
    const saes = [
      { id: 'small', wDec: tf.tensor2d(a.data, [45, d]) },
      { id: 'large', wDec: tf.tensor2d(b.data, [30, d]) },
    ]
    const before = tf.memory().numTensors
    const one = await umapLayout(saes, { seed: 7, nEpochs: 80 })
    const again = await umapLayout(saes, { seed: 7, nEpochs: 80 })
    const other = await umapLayout(saes, { seed: 8, nEpochs: 80 })
    expect(tf.memory().numTensors).toBe(before)
    expect(Array.from(again.x)).toEqual(Array.from(one.x))
    expect(Array.from(again.y)).toEqual(Array.from(one.y))
    expect(Array.from(other.x)).not.toEqual(Array.from(one.x))
    expect(one.saeIds).toEqual(['small', 'large'])
    expect(Array.from(one.source)).toEqual([...new Array<number>(45).fill(0), ...new Array<number>(30).fill(1)])
    expect(Array.from(one.index)).toEqual([...Array.from({ length: 45 }, (_, i) => i), ...Array.from({ length: 30 }, (_, i) => i)])

    // Each point's nearest point on the map is almost always from its own cluster.
    const cluster = [...a.cluster, ...b.cluster]
    const n = cluster.length
    let same = 0
    for (let i = 0; i < n; i++) {
      let best = -1
      let bestD = Infinity
      for (let j = 0; j < n; j++) {
        const dist = j === i ? Infinity : (one.x[i]! - one.x[j]!) ** 2 + (one.y[i]! - one.y[j]!) ** 2
        if (dist < bestD) [best, bestD] = [j, dist]
      }
      if (cluster[best] === cluster[i]) same++
    }
    expect(same / n).toBeGreaterThan(0.95)

    const file = featureMapFile(one, { hookName: 'blocks.0.hook_resid_post' })
    expect(parseFeatureMap(JSON.parse(JSON.stringify(file)))).toEqual(file)
    expect(file.saes).toEqual([{ id: 'small', d_sae: 45 }, { id: 'large', d_sae: 30 }])

    const controller = new AbortController()
    const run = umapLayout(saes, { seed: 7, nEpochs: 80, signal: controller.signal, onProgress: (f) => f > 0.5 && controller.abort() })
    await expect(run).rejects.toBeInstanceOf(CancelledError)
    expect(tf.memory().numTensors).toBe(before)
    for (const s of saes) s.wDec.dispose()
  })

  it('lays out tiny inputs without failing', async () => {
    const w = tf.tensor2d([1, 0, 0, 1, 1, 1], [3, 2])
    const three = await umapLayout([{ id: 's', wDec: w }], { seed: 0, nEpochs: 10 })
    expect(three.x.every(Number.isFinite) && three.y.every(Number.isFinite)).toBe(true)
    const pair = tf.slice(w, [0, 0], [2, 2]) as tf.Tensor2D
    const two = await umapLayout([{ id: 's', wDec: pair }], { seed: 0 })
    expect(Array.from(two.x)).toEqual([0, 1])
    tf.dispose([w, pair])
  })
})
