// `npx tsx bench/forwardBeforeAfter.ts BASE_DIR [--quick] [--rounds N]`: this branch's tfjs engine against an older one, same
// weights, interleaved in one process (prefill 128 tokens with all and with last-position logits, greedy generation,
// kernels per generated token, load average). Each figure is given by wall time and by this process's CPU time
// (process.cpuUsage: tfjs-wasm runs one thread in Node), which a busy shared machine distorts far less. BASE_DIR holds the older `src/`, e.g. made by
//   mkdir -p .cache/base && git archive <commit> src | tar -x -C .cache/base
// inside the repository, so that both engines share one @tensorflow/tfjs. The older engine may know only
// `lastPositionOnly` (before logitsAt): both options are passed.
import os from 'node:os'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import * as tf from '@tensorflow/tfjs'
import { selectBackend } from '../src/core/backend/backend.ts'
import * as current from '../src/core/model/tfjsEngine.ts'
import { makeTinyGpt2 } from '../src/core/testing/tinyModel.ts'

type Model = { forward(ids: number[][], o?: object): Promise<tf.Tensor3D>; newKvCache(b: number): { dispose(): void }; dispose(): void }
type Maker = { tfjsModelFromTensors(...args: Parameters<typeof current.tfjsModelFromTensors>): unknown }

const baseDir = process.argv[2]
if (!baseDir) throw new Error('usage: npx tsx bench/forwardBeforeAfter.ts BASE_DIR [--quick]')
const quick = process.argv.includes('--quick')
const base = (await import(pathToFileURL(path.resolve(baseDir, 'src/core/model/tfjsEngine.ts')).href)) as Maker
await selectBackend(['wasm'])
const shape = quick ? { nLayers: 2, dModel: 256, nHeads: 4, vocab: 8192, nCtx: 256 } : { nLayers: 12, dModel: 768, nHeads: 12, vocab: 50257, nCtx: 1024 }
const { config, tensors } = makeTinyGpt2({ seed: 1, ...shape, naming: 'transformer-prefix', withAttnBias: false, withLmHead: false })
const ALL = { logitsAt: 'all' }
const LAST = { logitsAt: 'last', lastPositionOnly: true }
const engines: [string, Model][] = [
  ['before', base.tfjsModelFromTensors(config, tensors) as Model],
  ['after', current.tfjsModelFromTensors(config, tensors) as unknown as Model],
]
const prompt = Array.from({ length: 128 }, (_, i) => (i * 7919) % shape.vocab)
const STEPS = 32

interface Span {
  wallMs: number
  cpuMs: number
}

async function timed(f: () => Promise<void>): Promise<Span> {
  const c0 = process.cpuUsage()
  const t0 = performance.now()
  await f()
  const c = process.cpuUsage(c0)
  return { wallMs: performance.now() - t0, cpuMs: (c.user + c.system) / 1000 }
}

function prefill(m: Model, opts: object): Promise<Span> {
  return timed(async () => {
    const logits = await m.forward([prompt], opts) // [1, 128 or 1, vocab]
    await logits.data()
    logits.dispose()
  })
}

const argmaxOf = async (logits: tf.Tensor): Promise<number> => {
  const a = tf.tidy(() => logits.reshape([-1]).argMax())
  const id = (await a.data())[0]!
  a.dispose()
  logits.dispose()
  return id
}

async function generation(m: Model): Promise<{ perToken: Span; kernels: number; ids: number[] }> {
  const kv = m.newKvCache(1)
  let id = await argmaxOf(await m.forward([prompt], { kvCache: kv, ...LAST }))
  const ids: number[] = []
  const span = await timed(async () => {
    for (let s = 0; s < STEPS; s++) ids.push((id = await argmaxOf(await m.forward([[id]], { kvCache: kv, ...LAST }))))
  })
  const perToken = { wallMs: span.wallMs / STEPS, cpuMs: span.cpuMs / STEPS }
  const info = await tf.profile(async () => void (await argmaxOf(await m.forward([[id]], { kvCache: kv, ...LAST }))))
  kv.dispose()
  // Nested scopes (custom gradients, a fused op's wrapper) are listed beside the kernels they contain.
  const kernels = info.kernels.filter((k) => k.name !== 'unnamed scope' && !k.name.endsWith('__op')).length
  return { perToken, kernels, ids }
}

for (const [, m] of engines) {
  await prefill(m, ALL)
  await generation(m)
}
const roundsArg = process.argv.indexOf('--rounds')
const rounds = roundsArg > 0 ? Number(process.argv[roundsArg + 1]) : quick ? 1 : 5
interface Tally {
  all: Span[]
  last: Span[]
  gen: Span[]
  kernels: number
  ids: number[]
  loads: string[]
}
const results = new Map<string, Tally>()
for (let r = 0; r < rounds; r++) {
  for (const [name, m] of engines) {
    const e = results.get(name) ?? { all: [], last: [], gen: [], kernels: 0, ids: [], loads: [] }
    results.set(name, e)
    e.loads.push(os.loadavg()[0]!.toFixed(2))
    e.all.push(await prefill(m, ALL))
    e.last.push(await prefill(m, LAST))
    const g = await generation(m)
    e.gen.push(g.perToken)
    e.kernels = g.kernels
    e.ids = g.ids
    const f = (x: Span): string => `${x.wallMs.toFixed(0)} ms (CPU ${x.cpuMs.toFixed(0)})`
    process.stdout.write(`round ${r} ${name}: prefill all ${f(e.all.at(-1)!)}, last ${f(e.last.at(-1)!)}; generation ${f(g.perToken)}/token; load ${e.loads.at(-1)}\n`)
  }
}
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
/** tokens/s by wall time and by CPU time, from the median of each. */
const rate = (spans: Span[], tokens: number): string =>
  `${((1000 * tokens) / median(spans.map((x) => x.wallMs))).toFixed(1)} wall, ${((1000 * tokens) / median(spans.map((x) => x.cpuMs))).toFixed(1)} CPU`
for (const [name, e] of results) {
  process.stdout.write(
    `${name}: prefill 128 tokens/s ${rate(e.all, 128)} (all logits), ${rate(e.last, 128)} (last); ` +
      `generation tokens/s ${rate(e.gen, 1)}; ${e.kernels} kernels per token (argmax included); loads ${e.loads.join(' ')}\n`,
  )
}
process.stdout.write(`identical greedy ids over ${STEPS} steps: ${JSON.stringify(results.get('before')!.ids) === JSON.stringify(results.get('after')!.ids)}\n`)
for (const [, m] of engines) m.dispose()
