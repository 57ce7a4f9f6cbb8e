// SAE training-step suite: the sparse and the dense step (stepPath.ts) taken in turn on identical trainers in Node's
// tfjs-wasm, with the PyTorch CPU peer (bench/torchSaeStep.py: Debian's PyTorch, 2 threads, OMP_WAIT_POLICY=PASSIVE)
// run halfway through the same window, and the 1-minute load average beside every figure.
import { execFileSync } from 'node:child_process'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { selectBackend } from '../../src/core/backend/backend.ts'
import { SPARSE_MAX_DENSITY } from '../../src/core/sae/stepPath.ts'
import { biasForL0, timeSparseVsDense, timeTrainStep } from '../../src/core/sae/testing/trainStepBench.ts'
import { SHARD_MAX_ENCODER_WEIGHTS, trainingEngines } from '../../src/cli/threads/trainingEngines.ts'
import { defaultThreads, WorkerShardPool } from '../../src/cli/threads/workerShardPool.ts'
import type { BenchRow } from '../harness.ts'

export const title = 'SAE training step (Node)'
export const intro =
  'One optimizer step (hand-derived fused gradients, Adam, clipping) on a batch of random N(0, I) activations; tokens/s = ' +
  'batch / median step time. tfjs-wasm sparse and dense are two trainers with identical state stepped in turn (sparse, ' +
  'dense, sparse, …; one warm-up step each); the PyTorch row (bench/torchSaeStep.py, Debian python3-torch 1.13 with ' +
  'OpenBLAS (libopenblas0-openmp), 2 threads, OMP_WAIT_POLICY=PASSIVE, autograd, dense as SAELens) runs after every round ' +
  '(a warm-up step and two timed ones each time), so each round pairs the trainers with PyTorch; its figure is the median ' +
  'of the rounds, and "per round" gives the range of the round-by-round ratios. topk: k 32. standard: the encoder bias is set so that L0 ≈ 32 (a standard SAE late in training); at ' +
  'initialisation about half the latents fire and the automatic choice is the dense step. "load" is the mean 1-minute ' +
  `load average over the timed steps (2 cores, shared). The automatic choice goes sparse while the busiest row has at ` +
  `most d_sae/${1 / SPARSE_MAX_DENSITY} active latents; the L0 sweep rows measure that crossover. "sparse, N threads" is a third ` +
  'trainer with the same state, stepped in the same turn: the sparse step with its batch split in row shards over the ' +
  "trainer's thread and N − 1 worker threads (src/core/sae/shards.ts, train-sae --threads; N = the machine's cores). " +
  '"train-sae default, N threads" is a fourth, stepped in the same turn, set up as train-sae sets up its own trainer: the ' +
  'encoder forward on onnxruntime-node (src/core/sae/encoderEngine.ts), with the batch split over N threads (a one-thread ' +
  'encoder each) where d_in·d_sae ≤ 2^22, else one step thread whose encoder runs on N threads (src/cli/threads/trainingEngines.ts).'

const TORCH_SCRIPT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../torchSaeStep.py')
const PYTHON = '/usr/bin/python3' // Debian's, with python3-torch (the python3 first on PATH may lack it)

function torchAvailable(): boolean {
  try {
    execFileSync(PYTHON, ['-c', 'import torch'], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}

function torchStep(arch: 'standard' | 'topk', dIn: number, dSae: number, batch: number, bEnc: number, steps: number): number {
  const out = execFileSync(
    PYTHON,
    [TORCH_SCRIPT, '--arch', arch, '--d-in', `${dIn}`, '--d-sae', `${dSae}`, '--batch', `${batch}`, '--b-enc', `${bEnc}`, '--steps', `${steps}`, '--threads', '2'],
    { env: { ...process.env, OMP_WAIT_POLICY: 'PASSIVE', OMP_NUM_THREADS: '2' }, encoding: 'utf8' },
  )
  return (JSON.parse(out.trim().split('\n').pop()!) as { ms_per_step: number }).ms_per_step
}

const load = () => os.loadavg()[0]!
const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]!

export async function run(opts: { quick: boolean }): Promise<BenchRow[]> {
  await selectBackend(['wasm'])
  const withTorch = torchAvailable()
  const threads = defaultThreads()
  // Every core: the trainer's thread plus threads − 1 worker threads, each computing a row shard (shards.ts).
  const pool = threads > 1 ? await WorkerShardPool.create(threads - 1) : null
  try {
    return await runShapes(opts, withTorch, pool, threads)
  } finally {
    await pool?.dispose()
  }
}

async function runShapes(opts: { quick: boolean }, withTorch: boolean, pool: WorkerShardPool | null, threads: number): Promise<BenchRow[]> {
  const shapes: Array<[number, number, number]> = opts.quick ? [[32, 512, 128]] : [[128, 4096, 1024], [256, 4096, 1024], [768, 16384, 1024]]
  const rows: BenchRow[] = []
  const tps = (batch: number, ms: number) => (batch * 1000) / ms
  for (const [dIn, dSae, batch] of shapes) {
    const rounds = dSae > 8192 ? 3 : 5
    for (const arch of ['topk', 'standard'] as const) {
      const bEnc = arch === 'standard' ? biasForL0(32, dSae) : 0
      const torchRounds: number[] = []
      const torchLoads: number[] = []
      const engines = await trainingEngines(threads, { architecture: arch, dIn, dSae }, 'onnxruntime', 'bench')
      let t: Awaited<ReturnType<typeof timeSparseVsDense>>
      try {
        // Trainers of (768, 16384) hold ~300 MB each with Adam state, and a step's temporaries as much again: more than
        // two overflow tfjs-wasm's heap. There the dense step and the batch split with tfjs's encoder are left out (on
        // 2026-12-07 at 15:13 UTC they ran at 0.18–0.21× and 0.80–0.83× PyTorch).
        const large = dIn * dSae > SHARD_MAX_ENCODER_WEIGHTS
        const options = {
          architecture: arch, dIn, dSae, batch, k: 32, ...(arch === 'standard' ? { bEnc } : {}), ...(pool && !large ? { pool } : {}),
          engines: { pool: engines.pool, encoder: engines.encoder! }, skipDense: large,
        }
        t = await timeSparseVsDense(options, rounds, load, async () => {
          if (!withTorch) return
          torchRounds.push(torchStep(arch, dIn, dSae, batch, bEnc, 2))
          torchLoads.push(load())
        })
      } finally {
        await engines.dispose()
      }
      const torchMs = withTorch ? median(torchRounds) : NaN
      const torchLoad = withTorch ? torchLoads.reduce((a, b) => a + b, 0) / torchLoads.length : NaN
      const roundRatios = torchRounds.map((ms, i) => ms / t.enginesRounds[i]!)
      const perRound = withTorch ? ` (per round ${Math.min(...roundRatios).toFixed(2)}–${Math.max(...roundRatios).toFixed(2)}×)` : ''
      const label = `${arch} d_in ${dIn}, d_sae ${dSae}, batch ${batch}${arch === 'standard' ? ', L0 ≈ 32' : ', k 32'}`
      const vsTorch = (ms: number) => (withTorch ? `; ${(torchMs / ms).toFixed(2)}× PyTorch` : '')
      const detail = (ms: number) => `${ms.toFixed(0)} ms/step; load ${t.loadAverage.toFixed(1)}${vsTorch(ms)}`
      const vsDense = Number.isFinite(t.denseMs) ? `; ${(t.denseMs / t.sparseMs).toFixed(2)}× dense` : ''
      rows.push({ suite: 'sae-train', case: label, engine: 'tfjs-wasm sparse', metric: 'tokens/s', value: tps(batch, t.sparseMs), detail: `${detail(t.sparseMs)}${vsDense}` })
      if (Number.isFinite(t.denseMs)) rows.push({ suite: 'sae-train', case: label, engine: 'tfjs-wasm dense', metric: 'tokens/s', value: tps(batch, t.denseMs), detail: detail(t.denseMs) })
      if (Number.isFinite(t.threadsMs)) {
        rows.push({ suite: 'sae-train', case: label, engine: `tfjs-wasm sparse, ${threads} threads`, metric: 'tokens/s', value: tps(batch, t.threadsMs), detail: `${detail(t.threadsMs)}; ${(t.sparseMs / t.threadsMs).toFixed(2)}× one thread` })
      }
      rows.push({ suite: 'sae-train', case: label, engine: `train-sae default, ${threads} threads`, metric: 'tokens/s', value: tps(batch, t.enginesMs), detail: `${detail(t.enginesMs)}${perRound}; ${(t.sparseMs / t.enginesMs).toFixed(2)}× one thread; ${engines.description}` })
      rows.push(
        withTorch
          ? { suite: 'sae-train', case: label, engine: 'PyTorch CPU, 2 threads', metric: 'tokens/s', value: tps(batch, torchMs), detail: `${torchMs.toFixed(0)} ms/step; load ${torchLoad.toFixed(1)}` }
          : { suite: 'sae-train', case: label, engine: 'PyTorch CPU, 2 threads', metric: 'tokens/s', value: NaN, detail: `not measured: ${PYTHON} has no torch (apt-get install python3-torch libopenblas0-openmp)` },
      )
      process.stderr.write(`  sae-train/${arch} ${dIn}x${dSae}: sparse ${t.sparseMs.toFixed(0)} ms, ${threads} threads ${t.threadsMs.toFixed(0)} ms, train-sae default ${t.enginesMs.toFixed(0)} ms, dense ${t.denseMs.toFixed(0)} ms, PyTorch ${torchMs.toFixed(0)} ms, load ${t.loadAverage.toFixed(1)}\n`)
    }
  }
  // The other architectures (their own step paths: BatchTopK and JumpReLU choose as above, Matryoshka is dense).
  const [oIn, oSae, oBatch] = opts.quick ? [32, 512, 128] : [128, 4096, 1024]
  for (const arch of ['batchtopk', 'jumprelu', 'matryoshka_batchtopk'] as const) {
    const t = await timeTrainStep(arch, oIn, oSae, oBatch, opts.quick ? 3 : 6, 1)
    rows.push({ suite: 'sae-train', case: `${arch} d_in ${oIn}, d_sae ${oSae}, batch ${oBatch}`, engine: 'tfjs-wasm', metric: 'tokens/s', value: t.tokensPerSecond, detail: `${t.msPerStep.toFixed(0)} ms/step; load ${load().toFixed(1)}` })
  }
  // The crossover behind SPARSE_MAX_DENSITY: standard at rising L0, sparse pinned against dense.
  const [dIn, dSae, batch] = opts.quick ? [32, 512, 128] : [256, 4096, 1024]
  for (const l0 of opts.quick ? [16] : [64, 128, 256]) {
    const t = await timeSparseVsDense({ architecture: 'standard', dIn, dSae, batch, bEnc: biasForL0(l0, dSae) }, 3, load)
    rows.push({
      suite: 'sae-train',
      case: `standard d_in ${dIn}, d_sae ${dSae}, batch ${batch}, L0 ≈ ${l0} (d_sae/${Math.round(dSae / l0)})`,
      engine: 'tfjs-wasm sparse ÷ dense',
      metric: 'speed-up',
      value: t.denseMs / t.sparseMs,
      detail: `sparse ${t.sparseMs.toFixed(0)} ms, dense ${t.denseMs.toFixed(0)} ms; load ${t.loadAverage.toFixed(1)}`,
    })
    process.stderr.write(`  sae-train/standard L0 ${l0}: sparse ${t.sparseMs.toFixed(0)} ms, dense ${t.denseMs.toFixed(0)} ms\n`)
  }
  return rows
}
