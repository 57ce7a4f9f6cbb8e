// `monoscope scaling-sweep`: the paper's scaling laws on cached activations — a grid of dictionary sizes × training
// tokens, a learning-rate check at the grid's ends, the loss frontier against compute and power laws for the
// compute-optimal size and tokens. Resumable: every finished run is saved, and a re-run trains only what is missing.
import { existsSync } from 'node:fs'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { selectBackend } from '../../core/backend/backend.ts'
import { InvalidArgumentError } from '../../core/errors.ts'
import { CachedActivationSource, readActivationCache } from '../../core/sae/activationCache.ts'
import { analyseSweep, lossVsComputeSvg, optimalAllocationSvg, scalingMarkdown, type ScalingSweepFile } from '../../core/sae/scaling/scalingReport.ts'
import { parseScalingSweepFile } from '../../core/sae/scaling/scalingFile.ts'
import { runSweepPoint, splitCache, type SweepRunSpec } from '../../core/sae/scaling/sweep.ts'
import { parseFloatFlag, parseIntFlag, parseNameList } from '../args.ts'
import { readJsonFile } from '../jsonFile.ts'

export const scalingSweepUsage = `monoscope scaling-sweep --activations FILE [--sizes 256,512,1024,2048] [--steps 128,256,512,1024] [--batch 1024]
    [--lr 1e-3] [--lr-sweep 3e-4,3e-3] [--l1 3] [--seed 1] [--held-out 32768] [--report-only] [--out DIR]
  Trains a standard SAE for every size × steps on rows of a "monoscope harvest" cache (each row seen once; the last
  --held-out rows are never trained on), scores each by its training objective on those rows, then retrains the
  cheapest and the costliest run at every --lr-sweep rate. Writes scaling.json after every run (a re-run with the
  same settings trains only missing runs), and SCALING.md, scaling_loss.svg and scaling_optimal.svg to --out
  (default public/saes/tinyworld/blocks.2.hook_resid_post/scaling). --report-only redraws them from scaling.json.`

const numberList = (flag: string, value: string | undefined, fallback: number[], parse: (s: string) => number): number[] => {
  const names = parseNameList(value)
  return names.length === 0 ? fallback : names.map((v) => {
    const n = parse(v)
    if (!(n > 0) || !Number.isFinite(n)) throw new InvalidArgumentError(`--${flag}: "${v}" is not a positive number`)
    return n
  })
}

export async function scalingSweepCommand(argv: string[]): Promise<void> {
  const text = { type: 'string' } as const
  const { values } = parseArgs({
    args: argv,
    options: { activations: text, sizes: text, steps: text, batch: text, lr: text, 'lr-sweep': text, l1: text, seed: text, 'held-out': text, out: text, 'report-only': { type: 'boolean', default: false } },
    strict: true,
  })
  const out = path.resolve(values.out ?? 'public/saes/tinyworld/blocks.2.hook_resid_post/scaling')
  const jsonFile = path.join(out, 'scaling.json')
  if (values['report-only']) {
    if (!existsSync(jsonFile)) throw new InvalidArgumentError(`--report-only: ${jsonFile} does not exist (run the sweep first)`)
    await writeReport(out, parseScalingSweepFile(await readJsonFile(jsonFile), jsonFile))
    return
  }
  if (values.activations === undefined) throw new InvalidArgumentError('scaling-sweep needs --activations FILE (made by "monoscope harvest")')
  const int = (s: string) => (/^\d+$/.test(s) ? Number(s) : NaN)
  const sizes = numberList('sizes', values.sizes, [256, 512, 1024, 2048], int)
  const steps = numberList('steps', values.steps, [128, 256, 512, 1024], int)
  const lrSweep = numberList('lr-sweep', values['lr-sweep'], [3e-4, 3e-3], Number)
  const batch = parseIntFlag('batch', values.batch, 1024, 1)
  const lr = parseFloatFlag('lr', values.lr, 1e-3, 1e-7, 1)
  const l1 = parseFloatFlag('l1', values.l1, 3, 0)
  const seed = parseIntFlag('seed', values.seed, 1, 0)
  const heldOutRows = parseIntFlag('held-out', values['held-out'], 32_768, 1)

  const backend = await selectBackend() // as train-sae: WASM in Node (tfjs's own CPU backend is ~25× slower)
  const cache = readActivationCache(new Uint8Array(await readFile(values.activations)), values.activations)
  const pool = splitCache(cache, heldOutRows).train
  const need = Math.max(...steps) * batch
  if (need > pool.rows) throw new InvalidArgumentError(`The longest run needs ${need} rows but ${values.activations} has ${pool.rows} besides the ${heldOutRows} held out: harvest more rows or pass fewer --steps`)
  // One input scale for every run (from the pool, as train-sae estimates it), so all losses are in the same units.
  const inputScale = new CachedActivationSource(pool).estimateNormScale(16_384).scale
  const settings: ScalingSweepFile['settings'] = { hook: cache.info.hookName, activations: `${cache.info.corpus} (${cache.rows} rows)`, architecture: 'standard', l1, batch, seed, heldOutRows, lr, dIn: cache.dIn, inputScale }
  let file: ScalingSweepFile = { format: 'monoscope.scaling-sweep', version: 1, settings, runs: [] }
  if (existsSync(jsonFile)) {
    const previous = parseScalingSweepFile(await readJsonFile(jsonFile), jsonFile)
    if (JSON.stringify(previous.settings) === JSON.stringify(settings)) file = previous
    else process.stderr.write(`scaling-sweep: ${jsonFile} has other settings; starting over\n`)
  }

  const grid: SweepRunSpec[] = sizes.flatMap((dSae) => steps.map((s) => ({ dSae, steps: s, lr })))
  const byCost = [...grid].sort((a, b) => a.dSae * a.steps - b.dSae * b.steps)
  const ends = [byCost[0]!, byCost.at(-1)!]
  const lrRuns = ends.flatMap((e) => lrSweep.filter((r) => r !== lr).map((r) => ({ ...e, lr: r })))
  const todo = [...grid, ...lrRuns].filter((spec) => !file.runs.some((r) => r.dSae === spec.dSae && r.steps === spec.steps && r.lr === spec.lr))
  await mkdir(out, { recursive: true })
  process.stderr.write(`scaling-sweep: ${grid.length + lrRuns.length} runs, ${todo.length} to train on tfjs ${backend} (${cache.rows} cached rows, ${heldOutRows} held out)\n`)
  for (const [i, spec] of todo.entries()) {
    const label = `[${i + 1}/${todo.length}] d_sae ${spec.dSae}, ${spec.steps} steps, lr ${spec.lr}`
    const result = await runSweepPoint(spec, { cache, heldOutRows, inputScale }, { architecture: 'standard', l1Coefficient: l1, batch, seed, logEvery: Number.MAX_SAFE_INTEGER, checkpointEvery: 0 }, (s) => {
      if (s % 32 === 0 || s === spec.steps) process.stderr.write(`\r  ${label}: step ${s}/${spec.steps}`)
    })
    process.stderr.write(`\r  ${label}: loss ${result.loss.toFixed(4)}, FVU ${result.fvu.toFixed(3)}, L0 ${result.l0.toFixed(1)} (${result.seconds.toFixed(0)} s)\n`)
    file.runs.push(result)
    await writeFile(jsonFile, `${JSON.stringify(file, null, 2)}\n`)
  }
  await writeReport(out, file)
}

async function writeReport(out: string, file: ScalingSweepFile): Promise<void> {
  const analysis = analyseSweep(file)
  await writeFile(path.join(out, 'scaling_loss.svg'), lossVsComputeSvg(file, analysis))
  await writeFile(path.join(out, 'scaling_optimal.svg'), optimalAllocationSvg(analysis))
  await writeFile(path.join(out, 'SCALING.md'), scalingMarkdown(file, analysis))
  process.stderr.write(`scaling-sweep: wrote ${path.join(out, 'SCALING.md')}, scaling_loss.svg and scaling_optimal.svg\n`)
}
