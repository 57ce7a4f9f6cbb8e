// Decoder neighbours equal a brute-force cosine top-k, within an SAE (self left out) and across SAEs.
import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { selectBackend } from '../backend/backend.ts'
import { InvalidArgumentError } from '../errors.ts'
import { randomArray } from '../sae/testing/random.ts'
import { cosineTopK, decoderNeighbours, unitRows } from './neighbours.ts'

beforeAll(async () => {
  await selectBackend(['wasm'])
})

function bruteTopK(a: Float32Array, n: number, b: Float32Array, m: number, d: number, k: number, self: boolean) {
  const norm = (x: Float32Array, i: number) => Math.hypot(...x.subarray(i * d, (i + 1) * d))
  return Array.from({ length: n }, (_, i) => {
    const cos = Array.from({ length: m }, (_, j) => {
      let dot = 0
      for (let t = 0; t < d; t++) dot += a[i * d + t]! * b[j * d + t]!
      const nn = norm(a, i) * norm(b, j)
      return nn > 0 ? dot / nn : 0
    })
    const order = cos.map((_, j) => j).filter((j) => !(self && j === i)).sort((x, y) => cos[y]! - cos[x]! || x - y)
    return { ids: order.slice(0, k), cos: order.slice(0, k).map((j) => cos[j]!) }
  })
}

describe('decoder neighbours', () => {
  it('equal brute-force cosine top-k within the SAE and across another, in chunks', async () => {
    const d = 8
    const a = randomArray(30 * d, 1)
    a.set(a.subarray(3 * d, 4 * d), 7 * d) // feature 7 duplicates feature 3
    for (let t = 0; t < d; t++) a[9 * d + t]! *= 5 // a longer copy of its own direction does not change cosines
    const b = randomArray(45 * d, 2)
    const wA = tf.tensor2d(a, [30, d])
    const wB = tf.tensor2d(b, [45, d])
    const before = tf.memory().numTensors
    const [within, across] = await decoderNeighbours({ id: 'a', wDec: wA }, [{ id: 'b', wDec: wB }], { k: 5 })
    expect(tf.memory().numTensors).toBe(before)
    expect([within!.saeId, across!.saeId]).toEqual(['a', 'b'])
    const wantWithin = bruteTopK(a, 30, a, 30, d, 5, true)
    const wantAcross = bruteTopK(a, 30, b, 45, d, 5, false)
    for (let i = 0; i < 30; i++) {
      expect(Array.from(within!.indices.subarray(i * 5, i * 5 + 5))).toEqual(wantWithin[i]!.ids)
      expect(Array.from(across!.indices.subarray(i * 5, i * 5 + 5))).toEqual(wantAcross[i]!.ids)
      wantWithin[i]!.cos.forEach((c, t) => expect(within!.cosines[i * 5 + t]).toBeCloseTo(c, 5))
      wantAcross[i]!.cos.forEach((c, t) => expect(across!.cosines[i * 5 + t]).toBeCloseTo(c, 5))
    }
    expect(within!.indices[3 * 5]).toBe(7) // the duplicate is the nearest, at cosine 1
    expect(within!.cosines[3 * 5]).toBeCloseTo(1, 5)

    // Small chunks give the same lists.
    const uA = unitRows(wA)
    const chunked = await cosineTopK(uA, uA, { k: 5, excludeSelf: true, chunkSize: 4 })
    expect(chunked.indices).toEqual(within!.indices)
    uA.dispose()
    tf.dispose([wA, wB])
  })

  it('clamps k to the rows available and refuses SAEs of another width', async () => {
    const w = tf.tensor2d(randomArray(3 * 4, 5), [3, 4])
    const other = tf.tensor2d(randomArray(2 * 6, 6), [2, 6])
    const [within] = await decoderNeighbours({ id: 'w', wDec: w }, [], { k: 10 })
    expect(within!.k).toBe(2)
    await expect(decoderNeighbours({ id: 'w', wDec: w }, [{ id: 'o', wDec: other }], { k: 2 })).rejects.toBeInstanceOf(InvalidArgumentError)
    tf.dispose([w, other])
  })
})
