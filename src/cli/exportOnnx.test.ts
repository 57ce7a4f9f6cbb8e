// export-onnx on TinyWorld: the ONNX export, run by the ONNX engine, equals the tfjs engine on the committed
// safetensors (logits and every residual hook within 1e-4), and greedy KV-cache decoding picks the same tokens.
import { execFile } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import * as tf from '@tensorflow/tfjs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { selectBackend } from '../core/backend/backend.ts'
import { generate } from '../core/generate/generate.ts'
import type { HookedModel } from '../core/model/hookedModel.ts'
import { loadModel } from '../core/model/load.ts'
import { createFolderSource } from '../core/sources/index.ts'
import { defaultModelSpec, repoRoot } from './defaults.ts'

const exec = promisify(execFile)
let dir: string
let tfjs: HookedModel
let onnx: HookedModel

beforeAll(async () => {
  await selectBackend(['wasm'])
  dir = await mkdtemp(path.join(os.tmpdir(), 'monoscope-export-onnx-'))
  await exec('node', [path.join(repoRoot, 'bin/monoscope.mjs'), 'export-onnx', '--out', dir])
  tfjs = (await loadModel(createFolderSource(defaultModelSpec))).model
  onnx = (await loadModel(createFolderSource(dir))).model
}, 120_000)

afterAll(async () => {
  tfjs?.dispose()
  onnx?.dispose()
  await rm(dir, { recursive: true, force: true })
})

const diff = async (a: tf.Tensor, b: tf.Tensor) => {
  const d = tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))))
  const v = (await d.data())[0]!
  tf.dispose([a, b, d])
  return v
}

describe('monoscope export-onnx', () => {
  it('TinyWorld through the ONNX engine equals the tfjs engine: logits and every residual hook (≤ 1e-4)', async () => {
    expect(tfjs.engine.kind).toBe('tfjs')
    expect(onnx.engine.kind).toBe('onnx')
    expect(onnx.config.hookNames).toEqual(tfjs.config.hookNames.filter((n) => onnx.config.hookNames.includes(n)))
    expect(onnx.config.hookNames.length).toBe(3 + 3 * tfjs.config.nLayers) // embed, pos_embed, pre/mid/post per block, ln_final
    const ids = [[0, 17, 42, 5, 300, 77, 12, 9], [0, 8, 8, 600, 31, 2, 44, 100]]
    const a = await tfjs.runWithCache(ids, [...onnx.config.hookNames])
    const b = await onnx.runWithCache(ids, [...onnx.config.hookNames])
    expect(await diff(a.logits, b.logits)).toBeLessThan(1e-4)
    for (const name of onnx.config.hookNames) expect(await diff(a.cache.get(name)!, b.cache.get(name)!), name).toBeLessThan(1e-4)
  })

  it('greedy generation through the KV cache gives the same tokens on both engines', async () => {
    const run = async (model: HookedModel) => {
      const out: number[] = []
      for await (const id of generate(model, [0, 17, 42, 5], { maxTokens: 20, temperature: 0, seed: 1 })) out.push(id)
      return out
    }
    const want = await run(tfjs)
    expect(want).toHaveLength(20)
    expect(await run(onnx)).toEqual(want)
  })
})
