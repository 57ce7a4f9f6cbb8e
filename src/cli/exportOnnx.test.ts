// export-onnx on TinyWorld: the ONNX export, run by the ONNX engine, equals the tfjs engine on the committed
// safetensors (logits and every residual hook within 1e-4), and greedy KV-cache decoding picks the same tokens.
// The fp16, 8-bit and 4-bit variants (transformers.js's model_fp16 / model_quantized / model_int8 / model_q4) load
// through the same engine, with every hook, the KV cache, steering through the split graph and the unembedding, within
// their precision.
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
import { readFile } from 'node:fs/promises'
import { hookName } from '../core/model/hookNames.ts'
import { dequantizeNBits, readNBitsWeight } from '../core/model/onnx/matMulNBits.ts'
import { decodeOnnx, int64 } from '../core/model/onnx/onnxProto.ts'
import { findResidualStream, indexGraph } from '../core/model/onnx/residualStream.ts'
import { planSegments, segmentModel } from '../core/model/onnx/segments.ts'
import { ONNX_VARIANTS, type OnnxVariant } from '../core/model/onnx/loadOnnx.ts'
import { createFolderSource } from '../core/sources/index.ts'
import { defaultModelSpec, repoRoot } from './defaults.ts'

const exec = promisify(execFile)
let dir: string
let tfjs: HookedModel
let onnx: HookedModel

beforeAll(async () => {
  await selectBackend(['wasm'])
  dir = await mkdtemp(path.join(os.tmpdir(), 'monoscope-export-onnx-'))
  await exec('node', [path.join(repoRoot, 'bin/monoscope.mjs'), 'export-onnx', '--out', dir, '--dtype', 'fp32,fp16,q8,int8,q4'])
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

const IDS = [[0, 17, 42, 5, 300, 77, 12, 9], [0, 8, 8, 600, 31, 2, 44, 100]]

/** Share of positions where both logits pick the same top token. */
async function topAgreement(a: tf.Tensor, b: tf.Tensor): Promise<number> {
  const same = tf.tidy(() => tf.mean(tf.cast(tf.equal(tf.argMax(a, -1), tf.argMax(b, -1)), 'float32')))
  const v = (await same.data())[0]!
  same.dispose()
  return v
}

async function greedy(model: HookedModel, hooks?: Parameters<typeof generate>[2]['hooks']): Promise<number[]> {
  const out: number[] = []
  for await (const id of generate(model, [0, 17, 42, 5], { maxTokens: 20, temperature: 0, seed: 1, ...(hooks ? { hooks } : {}) })) out.push(id)
  return out
}

/** An addition at blocks.1.hook_resid_mid from position 2 on: it makes the graph split in two there. */
const push = (direction: tf.Tensor1D) => ({
  [hookName.residMid(1)]: (act: tf.Tensor, ctx: { positionOffset: number }) =>
    tf.tidy(() => {
      const [, p, d] = act.shape as [number, number, number]
      const mask = tf.reshape(tf.cast(tf.greaterEqual(tf.range(ctx.positionOffset, ctx.positionOffset + p), 2), 'float32'), [1, p, 1]) // [1, pos, 1]
      return tf.add(act, tf.mul(mask, tf.reshape(direction, [1, 1, d]))) as tf.Tensor // [b, pos, d]
    }),
})

describe('export-onnx variants: fp16, q8 and int8', () => {
  const load = async (variant: OnnxVariant) => (await loadModel(createFolderSource(dir), { onnxVariant: variant })).model

  it('fp16 is float16 throughout (weights, KV cache and logits) and equals the tfjs engine within float16 precision', async () => {
    const graph = decodeOnnx(await readFile(path.join(dir, ONNX_VARIANTS.fp16)), 'fp16').graph
    const FLOAT16 = 10
    expect(graph.input.find((i) => i.name === 'past_key_values.0.key')?.type?.tensorType?.elemType).toBe(FLOAT16)
    expect(graph.output.find((o) => o.name === 'logits')?.type?.tensorType?.elemType).toBe(FLOAT16)
    expect(graph.initializer.filter((t) => t.dataType === 1)).toEqual([]) // no float32 weight left
    const half = await load('fp16')
    try {
      expect(half.engine.weightsFile).toBe(ONNX_VARIANTS.fp16)
      expect(half.config.hookNames).toEqual(onnx.config.hookNames)
      const a = await tfjs.runWithCache(IDS, [...half.config.hookNames])
      const b = await half.runWithCache(IDS, [...half.config.hookNames])
      expect(await topAgreement(a.logits, b.logits)).toBe(1)
      expect(await diff(a.logits, b.logits)).toBeLessThan(0.05) // logits' spread here is ~3
      for (const name of half.config.hookNames) expect(await diff(a.cache.get(name)!, b.cache.get(name)!), name).toBeLessThan(0.05)
      expect(await greedy(half)).toEqual(await greedy(tfjs))
      // A write hook splits the graph at a float16 tensor: widened for the hook, narrowed for the next part.
      const direction = tf.tidy(() => tf.mul(tf.randomNormal([tfjs.config.dModel], 0, 1, 'float32', 7), 3)) as tf.Tensor1D
      const steered = await greedy(half, push(direction))
      expect(steered).toEqual(await greedy(tfjs, push(direction)))
      expect(steered).not.toEqual(await greedy(tfjs))
      direction.dispose()
      const [u, v] = [tfjs.unembedding()!, half.unembedding()!]
      expect(await diff(u.wU.clone(), v.wU.clone())).toBeLessThan(1e-2)
    } finally {
      half.dispose()
    }
  })

  for (const variant of ['q8', 'int8'] as const) {
    it(`${variant} is dynamically quantized (8-bit weights, MatMulInteger) and tracks the tfjs engine`, async () => {
      const graph = decodeOnnx(await readFile(path.join(dir, ONNX_VARIANTS[variant])), variant).graph
      const ops = new Set(graph.node.map((n) => n.opType))
      expect([...ops].filter((op) => ['MatMulInteger', 'DynamicQuantizeLinear', 'DequantizeLinear'].includes(op ?? '')).sort()).toEqual(['DequantizeLinear', 'DynamicQuantizeLinear', 'MatMulInteger'])
      const weights = new Set(graph.initializer.map((t) => t.name))
      expect(graph.node.filter((n) => n.opType === 'MatMul' && n.input.some((i) => i !== undefined && weights.has(i)))).toEqual([]) // only attention's activation products stay float
      const weightType = variant === 'q8' ? 2 : 3 // uint8, int8
      expect(graph.initializer.filter((t) => t.name.endsWith('_quantized')).every((t) => t.dataType === weightType)).toBe(true)
      const quant = await load(variant)
      try {
        expect(quant.config.hookNames).toEqual(onnx.config.hookNames) // the residual stream found through the quantized patterns
        const a = await tfjs.runWithCache(IDS, [...quant.config.hookNames])
        const b = await quant.runWithCache(IDS, [...quant.config.hookNames])
        // Per-tensor 8-bit weights on a 4-layer model: close, not equal (measured: ≤ 0.4 on logits spread ~3, 81–88% same top token).
        expect(await topAgreement(a.logits, b.logits)).toBeGreaterThanOrEqual(0.75)
        expect(await diff(a.logits, b.logits)).toBeLessThan(1)
        expect(await diff(a.cache.get(hookName.embed())!, b.cache.get(hookName.embed())!)).toBeLessThan(0.05) // one dequantized row
        expect((await greedy(quant)).slice(0, 2)).toEqual((await greedy(tfjs)).slice(0, 2))
        // The head is dequantized for logit effects: within half a quantization step of the float weights.
        const [u, v] = [tfjs.unembedding()!, quant.unembedding()!]
        const step = (await diff(u.wU.clone(), tf.zerosLike(u.wU))) / 127 // max |w| / 127: at least one int8 step, about half a uint8 one
        expect(await diff(u.wU.clone(), v.wU.clone())).toBeLessThan(step)
      } finally {
        quant.dispose()
      }
    })
  }
})

/** The largest error of `got` against the float head `want` ([vocab, dModel]), in quantization steps of its block of 32 (max |w| / 8). */
function headSteps(want: Float32Array, got: Float32Array, d: number): number {
  let worst = 0
  for (let row = 0; row < want.length; row += d) {
    for (let blk = row; blk < row + d; blk += 32) {
      let peak = 0
      for (let i = blk; i < blk + 32; i++) peak = Math.max(peak, Math.abs(want[i]!))
      for (let i = blk; i < blk + 32; i++) worst = Math.max(worst, Math.abs(want[i]! - got[i]!) / (peak / 8))
    }
  }
  return worst
}

describe('export-onnx variant q4: MatMulNBits', () => {
  it('q4 stores every weight MatMul as MatMulNBits (4 bits, blocks of 32, symmetric), as MatMul4BitsQuantizer does', async () => {
    const model = decodeOnnx(await readFile(path.join(dir, ONNX_VARIANTS.q4)), 'q4')
    const graph = model.graph
    expect(model.opsetImport).toContainEqual(expect.objectContaining({ domain: 'com.microsoft' }))
    const weights = new Map(graph.initializer.map((t) => [t.name, t]))
    expect(graph.node.filter((n) => n.opType === 'MatMul' && n.input.some((i) => weights.has(i)))).toEqual([]) // only attention's activation products stay MatMul
    const nBits = graph.node.filter((n) => n.opType === 'MatMulNBits')
    expect(nBits).toHaveLength(4 * tfjs.config.nLayers + 1) // c_attn, attn c_proj, c_fc, mlp c_proj per block; the head
    expect(nBits.at(-1)!.output).toEqual(['logits'])
    for (const node of nBits) {
      const attr = Object.fromEntries((node.attribute ?? []).map((a) => [a.name, int64(a.i)]))
      expect(node.domain).toBe('com.microsoft')
      expect(attr).toMatchObject({ bits: 4, block_size: 32 })
      expect(node.input).toHaveLength(3) // A, B, scales: symmetric, no zero points
      const b = weights.get(node.input[1]!)!
      expect(b.dataType).toBe(2) // uint8
      expect(b.dims.map(int64)).toEqual([attr.N, Math.ceil(attr.K! / 32), 16])
      expect(weights.get(node.input[2]!)!.dims.map(int64)).toEqual([attr.N! * Math.ceil(attr.K! / 32)])
    }
    expect(graph.node.filter((n) => n.opType === 'Gather').every((n) => weights.get(n.input[0]!)?.dataType === 1)).toBe(true) // tables stay float32
    // A graph split for a write hook keeps the contrib-op domain, or onnxruntime could not load the later segment.
    const cut = graph.node.find((n) => n.opType === 'LayerNormalization')!.output[0]!
    const plan = planSegments(graph, indexGraph(graph), [cut], ['logits'])
    expect(segmentModel(model, plan, 1, () => 1).opsetImport).toContainEqual(expect.objectContaining({ domain: 'com.microsoft' }))
    // 4-bit tables (GatherBlockQuantized, which the quantizer writes only when asked) are named, not misread.
    const shape = { vocab: tfjs.config.vocabSize, dModel: tfjs.config.dModel, nLayers: tfjs.config.nLayers }
    expect(findResidualStream(graph, indexGraph(graph), shape).tensors.size).toBe(onnx.config.hookNames.length)
    const gathers = graph.node.filter((n) => n.opType === 'Gather')
    for (const n of gathers) n.opType = 'GatherBlockQuantized'
    expect(() => findResidualStream(graph, indexGraph(graph), shape)).toThrow(/GatherBlockQuantized/)
  })

  it('q4 finds every hook and tracks the tfjs engine; KV cache, split graph and head hold', async () => {
    const quant = (await loadModel(createFolderSource(dir), { onnxVariant: 'q4' })).model
    try {
      expect(quant.engine.weightsFile).toBe(ONNX_VARIANTS.q4)
      expect(quant.config.hookNames).toEqual(onnx.config.hookNames) // the residual stream and final norm found through MatMulNBits
      const a = await tfjs.runWithCache(IDS, [...quant.config.hookNames])
      const b = await quant.runWithCache(IDS, [...quant.config.hookNames])
      // 4-bit weights in blocks of 32 on a 4-layer model (measured: 14 of 16 top tokens the same, logits within 1.30
      // on a spread of ~3, residual hooks within 0.88, the embeddings exact since the tables stay float).
      expect(await topAgreement(a.logits, b.logits)).toBeGreaterThanOrEqual(0.75)
      expect(await diff(a.logits, b.logits)).toBeLessThan(2)
      const exact: string[] = [hookName.embed(), hookName.posEmbed(), hookName.residPre(0)]
      for (const name of quant.config.hookNames) {
        const d = await diff(a.cache.get(name)!, b.cache.get(name)!)
        if (exact.includes(name)) expect(d, name).toBe(0)
        else expect(d, name).toBeLessThan(1.5)
      }

      // The KV cache: each greedy token is the argmax of a full recompute of everything before it.
      const prompt = [0, 17, 42, 5]
      const tokens = await greedy(quant)
      expect(tokens.slice(0, 2)).toEqual((await greedy(tfjs)).slice(0, 2)) // measured: 2 of 20 before the paths part
      const full = await quant.forward([[...prompt, ...tokens.slice(0, -1)]]) // [1, 23, vocab]
      const best = tf.argMax(full, -1)
      expect(Array.from(await best.data()).slice(prompt.length - 1)).toEqual(tokens)
      tf.dispose([full, best])

      // Write hooks split the graph between MatMulNBits nodes: an identity hook changes nothing, an addition steers.
      const identity = await quant.forward(IDS, { hooks: { [hookName.residMid(1)]: (act: tf.Tensor) => act } })
      expect(await diff(identity, await quant.forward(IDS))).toBeLessThan(1e-5)
      const direction = tf.tidy(() => tf.mul(tf.randomNormal([tfjs.config.dModel], 0, 1, 'float32', 7), 3)) as tf.Tensor1D
      const steered = await greedy(quant, push(direction))
      expect(steered).not.toEqual(tokens)
      expect(steered.slice(0, 5)).toEqual((await greedy(tfjs, push(direction))).slice(0, 5)) // measured: the first 10 agree
      direction.dispose()

      // The head for logit effects, dequantized per block: within one step of the float head (measured: 0.99999 steps
      // at most, where a value clips to code 15; 0.038 absolute).
      const [u, v] = [tfjs.unembedding()!, quant.unembedding()!]
      const want = (await u.wU.data()) as Float32Array // [vocab, dModel]
      expect(headSteps(want, (await v.wU.data()) as Float32Array, tfjs.config.dModel)).toBeLessThanOrEqual(1 + 1e-5)
      // Negative control: the head's bytes read high nibble first are many steps off.
      const graph = decodeOnnx(await readFile(path.join(dir, ONNX_VARIANTS.q4)), 'q4').graph
      const head = readNBitsWeight(graph, graph.node.find((n) => n.output[0] === 'logits')!)!
      const swapped = dequantizeNBits({ ...head, packed: head.packed.map((x) => ((x & 15) << 4) | (x >> 4)) }) // [dModel, vocab]
      const swappedT = tf.tidy(() => tf.transpose(tf.tensor2d(swapped, [head.k, head.n])))
      expect(headSteps(want, (await swappedT.data()) as Float32Array, tfjs.config.dModel)).toBeGreaterThan(2)
      swappedT.dispose()
    } finally {
      quant.dispose()
    }
  })
})
