// Each ONNX dtype of `export-onnx` at GPT-2-small scale, in Node: a random GPT-2-small-shaped model (124M parameters,
// made now by `monoscope random-model`, never committed) on the tfjs engine against each of its ONNX files on
// onnxruntime-node: how close (top token, logits, a middle residual hook) on one fixed prompt, load time, prefill speed.
import { execFile } from 'node:child_process'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import * as tf from '@tensorflow/tfjs'
import { selectBackend } from '../../src/core/backend/backend.ts'
import { parseGpt2Config } from '../../src/core/model/config.ts'
import type { HookedModel } from '../../src/core/model/hookedModel.ts'
import { hookName } from '../../src/core/model/hookNames.ts'
import { loadModel } from '../../src/core/model/load.ts'
import { EXPORT_DTYPES, gpt2ToOnnx } from '../../src/core/model/onnx/exportGpt2.ts'
import { ONNX_VARIANTS } from '../../src/core/model/onnx/loadOnnx.ts'
import { createFolderSource } from '../../src/core/sources/index.ts'
import { repoRoot } from '../../src/cli/defaults.ts'
import { time, type BenchRow } from '../harness.ts'

export const title = 'ONNX dtypes at GPT-2-small scale: closeness to the tfjs engine, load and prefill (Node)'
export const intro =
  'A random GPT-2-small-shaped model (`monoscope random-model --shape gpt2-small --seed 1`: 12 layers, d_model 768, ' +
  'vocab 50,257, 124M parameters) on the tfjs engine (tfjs-wasm, one thread) against each file `export-onnx` writes from the ' +
  'same tensors, on onnxruntime-node (default threads: both cores). One fixed 32-token prompt, batch 1, every position: ' +
  'same top token = share of the 32 positions whose argmax agrees; Δ = largest absolute difference from the tfjs engine, ' +
  'with the tfjs logits\' spread (max − min) and the hook\'s largest |value| beside it for scale. Load = `loadModel` ' +
  'from the folder on disk (read, parse, session created); prefill = one forward over the prompt with all logits read ' +
  'back, median of 3 after one warm-up. Reproduce: `npm run bench -- --suite onnx-dtypes`.'

const PROMPT = Array.from({ length: 32 }, (_, i) => (i * 7919 + 13) % 50257) // fixed, spread over the vocabulary

async function maxAbs(t: tf.Tensor): Promise<number> {
  const m = tf.tidy(() => tf.max(tf.abs(t)))
  const v = (await m.data())[0]!
  m.dispose()
  return v
}

async function spread(t: tf.Tensor): Promise<number> {
  const s = tf.tidy(() => tf.sub(tf.max(t), tf.min(t)))
  const v = (await s.data())[0]!
  s.dispose()
  return v
}

async function closeness(a: { logits: tf.Tensor; hook: tf.Tensor }, b: { logits: tf.Tensor; hook: tf.Tensor }) {
  const same = tf.tidy(() => tf.mean(tf.cast(tf.equal(tf.argMax(a.logits, -1), tf.argMax(b.logits, -1)), 'float32')))
  const sameTop = (await same.data())[0]!
  same.dispose()
  const dLogit = tf.tidy(() => tf.sub(a.logits, b.logits))
  const dHook = tf.tidy(() => tf.sub(a.hook, b.hook))
  const out = { sameTop, maxDLogit: await maxAbs(dLogit), maxDHook: await maxAbs(dHook) }
  tf.dispose([dLogit, dHook])
  return out
}

async function prefillMs(model: HookedModel, ids: number[]): Promise<number> {
  const t = await time(
    async () => {
      const logits = await model.forward([ids]) // [1, pos, vocab]
      await logits.data()
      logits.dispose()
    },
    { warmup: 1, repeats: 3 },
  )
  return t.medianMs
}

async function timedLoad(dir: string, opts: Parameters<typeof loadModel>[1]): Promise<{ model: HookedModel; loadS: number }> {
  const t0 = performance.now()
  const { model } = await loadModel(createFolderSource(dir), opts)
  return { model, loadS: (performance.now() - t0) / 1000 }
}

export async function run(opts: { quick: boolean }): Promise<BenchRow[]> {
  await selectBackend(['wasm'])
  const shape = opts.quick ? 'tiny' : 'gpt2-small'
  const name = opts.quick ? 'random tiny (2L d64)' : 'GPT-2 small shape (12L d768, vocab 50,257)'
  const ids = opts.quick ? PROMPT.map((i) => i % 1024) : PROMPT
  const dir = await mkdtemp(path.join(os.tmpdir(), 'monoscope-bench-onnx-dtypes-'))
  const rows: BenchRow[] = []
  const row = (engine: string, metric: string, value: number, detail: string, c = name) => rows.push({ suite: 'onnx-dtypes', case: c, engine, metric, value, detail })
  try {
    await promisify(execFile)(process.execPath, [path.join(repoRoot, 'bin/monoscope.mjs'), 'random-model', '--out', dir, '--shape', shape, '--seed', '1'], { cwd: repoRoot })
    const { model: tfjs, loadS: tfjsLoad } = await timedLoad(dir, { engine: 'tfjs' })
    try {
      const weights = (await tfjs.exportTensors())!
      const config = parseGpt2Config(tfjs.configJson())
      const HOOK = hookName.residPost(config.nLayers >> 1) // blocks.6.hook_resid_post on GPT-2 small: the SAE's hook in scale.spec.ts
      await mkdir(path.join(dir, 'onnx'))
      const ref = await tfjs.runWithCache([ids], [HOOK])
      const refLogits = ref.logits // [1, pos, vocab]
      const refHook = ref.cache.get(HOOK)! // [1, pos, dModel]
      const logitSpread = await spread(refLogits)
      const hookScale = await maxAbs(refHook)
      const tfjsPrefill = await prefillMs(tfjs, ids)
      row('tfjs-wasm (reference)', 'load s', tfjsLoad, 'model.safetensors, float32')
      row('tfjs-wasm (reference)', 'prefill tokens/s', (1000 * ids.length) / tfjsPrefill, `${tfjsPrefill.toFixed(0)} ms median of 3`)
      for (const dtype of EXPORT_DTYPES) {
        const file = ONNX_VARIANTS[dtype]
        const t0 = performance.now()
        const bytes = gpt2ToOnnx(config, weights, dtype)
        const exportS = (performance.now() - t0) / 1000
        await writeFile(path.join(dir, file), bytes)
        const size = `${file}, ${(bytes.length / 1e6).toFixed(0)} MB (export ${exportS.toFixed(1)} s)`
        const { model: onnx, loadS } = await timedLoad(dir, { engine: 'onnx', onnxVariant: dtype })
        try {
          const got = await onnx.runWithCache([ids], [HOOK])
          const c = await closeness({ logits: refLogits, hook: refHook }, { logits: got.logits, hook: got.cache.get(HOOK)! })
          tf.dispose([got.logits, ...got.cache.values()])
          const ms = await prefillMs(onnx, ids)
          const engine = `onnxruntime-node ${dtype}`
          row(engine, 'same top token %', 100 * c.sameTop, `${Math.round(c.sameTop * ids.length)} of ${ids.length} positions; ${size}`)
          row(engine, 'max \\|Δlogit\\|', c.maxDLogit, `tfjs logits' spread ${logitSpread.toFixed(2)}`)
          row(engine, `max \\|Δ ${HOOK}\\|`, c.maxDHook, `tfjs hook's max \\|value\\| ${hookScale.toFixed(2)}`)
          row(engine, 'load s', loadS, size)
          row(engine, 'prefill tokens/s', (1000 * ids.length) / ms, `${ms.toFixed(0)} ms median of 3`)
          process.stderr.write(`  onnx-dtypes/${dtype}: same top ${(100 * c.sameTop).toFixed(0)}%, Δlogit ${c.maxDLogit.toPrecision(3)}, Δhook ${c.maxDHook.toPrecision(3)}, load ${loadS.toFixed(1)} s, prefill ${ms.toFixed(0)} ms\n`)
        } finally {
          onnx.dispose()
          await rm(path.join(dir, file))
        }
      }
      tf.dispose([refLogits, ...ref.cache.values()])
    } finally {
      tfjs.dispose()
    }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
  return rows
}
