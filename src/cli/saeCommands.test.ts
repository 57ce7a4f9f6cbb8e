// train-sae → features → eval-sae end to end on a tiny TinyWorld-vocabulary model written by the test, each in a
// child process as a user would run it; features' values are checked against Sae.encode in this process.
import * as tf from '@tensorflow/tfjs'
import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { parseFeatureAnalysis, parseFeatureMap } from '../core/analysis/format.ts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { selectBackend } from '../core/backend/backend.ts'
import { readSafetensors, writeSafetensors } from '../core/formats/safetensors.ts'
import { gpt2ConfigToJson } from '../core/model/config.ts'
import { loadModel } from '../core/model/load.ts'
import { loadSaeLens } from '../core/sae/saelens.ts'
import { createFolderSource } from '../core/sources/index.ts'
import { makeTinyGpt2 } from '../core/testing/tinyModel.ts'
import { conceptCatalogue } from '../core/world/catalogue.ts'
import { buildTokenizerJson } from '../core/world/tokenizerJson.ts'
import { repoRoot } from './defaults.ts'

const exec = promisify(execFile)
const bin = path.join(repoRoot, 'bin/monoscope.mjs')
const cli = (args: string[]) => exec(process.execPath, [bin, ...args], { cwd: repoRoot, maxBuffer: 64 << 20 })

let dir = ''
let modelDir = ''
let saeDir = ''
const hook = 'blocks.0.hook_resid_post'
const trainArgs = ['--hook', hook, '--steps', '30', '--batch', '64', '--context', '16', '--buffer', '512', '--norm-rows', '256', '--sparsity-rows', '256', '--ce-windows', '4']

beforeAll(async () => {
  await selectBackend(['wasm'])
  dir = await mkdtemp(path.join(os.tmpdir(), 'monoscope-sae-cli-'))
  modelDir = path.join(dir, 'model')
  saeDir = path.join(dir, 'sae')
  const { config, tensors } = makeTinyGpt2({ seed: 4, nLayers: 2, dModel: 16, nHeads: 2, vocab: 986, nCtx: 32, naming: 'transformer-prefix' })
  const plain = Object.fromEntries([...tensors].map(([k, e]) => [k, { shape: e.shape, data: e.data }]))
  await exec('mkdir', ['-p', modelDir])
  await writeFile(path.join(modelDir, 'model.safetensors'), writeSafetensors(plain))
  await writeFile(path.join(modelDir, 'config.json'), JSON.stringify(gpt2ConfigToJson({ ...config, bosTokenId: 0, eosTokenId: 0 }, { tiedLmHead: true })))
  await writeFile(path.join(modelDir, 'tokenizer.json'), JSON.stringify(buildTokenizerJson()))
})

afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('monoscope train-sae → features → eval-sae', () => {
  it('trains and writes an SAELens folder with a training log', async () => {
    const { stderr } = await cli(['train-sae', '--model', modelDir, '--arch', 'standard', '--d-sae', '32', '--l1', '1', ...trainArgs, '--ce-every', '15', '--out', saeDir])
    expect(stderr).toMatch(/ETA/)
    const cfg = JSON.parse(await readFile(path.join(saeDir, 'cfg.json'), 'utf8'))
    expect(cfg).toMatchObject({ architecture: 'standard', d_in: 16, d_sae: 32, metadata: { hook_name: hook, model_name: 'model', prepend_bos: true, context_size: 16, dataset_path: 'tinyworld:seed=0', seqpos_slice: [1, null] } })
    expect(cfg.metadata.monoscope_input_scale).toBeGreaterThan(0)
    const log = JSON.parse(await readFile(path.join(saeDir, 'training_log.json'), 'utf8'))
    expect(log.log.length).toBeGreaterThan(0)
    expect(log.log.at(-1).step).toBe(30)
    expect(log.ce.map((c: { step: number }) => c.step)).toEqual([15, 30])
    expect(log.normalisation.scale).toBeCloseTo(cfg.metadata.monoscope_input_scale, 6)
    const { sae, logSparsity } = await loadSaeLens(createFolderSource(saeDir))
    expect(logSparsity).toHaveLength(32)
    sae.dispose()
  })

  it("prints features equal to Sae.encode on the model's activations", async () => {
    const ids = [0, 5, 17, 42, 300]
    const sparse = JSON.parse((await cli(['features', '--model', modelDir, '--sae', saeDir, '--ids', ids.join(','), '--json'])).stdout)
    const dense = JSON.parse((await cli(['features', '--model', modelDir, '--sae', saeDir, '--ids', ids.join(','), '--json', '--dense'])).stdout)
    expect(sparse.tokens).toEqual(ids)
    expect(sparse.feature_acts).toHaveLength(ids.length)
    expect(sparse.reconstruction).toHaveLength(ids.length)
    expect(sparse.reconstruction[0]).toHaveLength(16)
    expect(dense.feature_acts[0]).toHaveLength(32)

    const { model } = await loadModel(createFolderSource(modelDir))
    const { sae } = await loadSaeLens(createFolderSource(saeDir))
    const act = (await model.collectActivations([ids], [hook])).get(hook)!
    const f = sae.encode(act)
    const xHat = sae.forward(act)
    const want = (f.arraySync() as number[][][])[0]!
    const wantRecon = (xHat.arraySync() as number[][][])[0]!
    tf.dispose([act, f, xHat])
    sae.dispose()
    model.dispose()
    want.forEach((row, p) => {
      row.forEach((v, i) => expect(dense.feature_acts[p][i]).toBeCloseTo(v, 5))
      const nonzero = row.flatMap((v, i) => (v !== 0 ? [[i, v]] : []))
      expect(sparse.feature_acts[p].map((e: number[]) => e[0])).toEqual(nonzero.map((e) => e[0]))
      sparse.feature_acts[p].forEach((e: number[], k: number) => expect(e[1]).toBeCloseTo(nonzero[k]![1]!, 5))
      wantRecon[p]!.forEach((v, i) => expect(sparse.reconstruction[p][i]).toBeCloseTo(v, 5))
    })
    expect(want.flat().some((v) => v > 0)).toBe(true)

    // --text gets the BOS the SAE was trained with.
    const fromText = JSON.parse((await cli(['features', '--model', modelDir, '--sae', saeDir, '--text', 'the cat', '--json'])).stdout)
    expect(fromText.tokens[0]).toBe(0)
    expect(fromText.tokens.length).toBeGreaterThan(1)
  })

  it('evaluates metrics, CE loss recovered and the ground-truth table', async () => {
    const outFile = path.join(dir, 'eval.json')
    const { stdout } = await cli(['eval-sae', '--model', modelDir, '--sae', saeDir, '--tokens', '300', '--out', outFile])
    expect(stdout).toMatch(/variance explained/)
    expect(stdout).toMatch(/concepts recovered/)
    const r = JSON.parse(await readFile(outFile, 'utf8'))
    expect(r.tokens).toBeGreaterThanOrEqual(300)
    expect(r.sae).toMatchObject({ dIn: 16, dSae: 32, hook })
    for (const key of ['l0', 'mse', 'fvu', 'varianceExplained', 'deadFraction', 'denseFraction']) expect(typeof r[key]).toBe('number')
    expect(r.fvu + r.varianceExplained).toBeCloseTo(1)
    expect(r.densityHistogram.counts.reduce((a: number, b: number) => a + b, 0) + r.densityHistogram.dead).toBe(32)
    expect(r.ce.tokens).toBeGreaterThan(0)
    expect(Number.isFinite(r.ce.clean)).toBe(true)
    const g = r.groundTruth
    expect(g.concepts).toHaveLength(conceptCatalogue().concepts.length)
    expect(g.tokens).toBe(r.tokens)
    expect(g.fractionRecovered).toBeGreaterThanOrEqual(0)
    expect(g.fractionRecovered).toBeLessThanOrEqual(1)
    const lang = g.concepts.find((c: { name: string }) => c.name === 'lang_en')
    expect(lang.auroc).toBeGreaterThanOrEqual(0.5) // the best of 32 features beats chance or ties it
    // Ceilings and controls (src/core/sae/EVAL_REPORT.md): present and consistent in shape, whatever a tiny model scores.
    expect(g).toMatchObject({ cueLimited: true, representedAuroc: 0.95, transferAggregate: 'min', familyUnion: 'sum', maxK: 10 })
    expect(g.tallies.map((t: { group: string }) => t.group)).toEqual(['all', 'word', 'span', 'parent', 'child', 'standalone'])
    const all = g.tallies[0]
    expect(all.recoveredOfRepresented).toBeLessThanOrEqual(all.represented)
    expect(all.represented).toBe(g.concepts.filter((c: { represented: boolean | null; auroc: number | null; name: string }) => c.represented && c.auroc !== null && !c.name.startsWith('lang_')).length)
    const cat = g.concepts.find((c: { name: string }) => c.name === 'cat')
    expect(cat).toMatchObject({ scope: 'word', level: 'child' })
    if (cat.probe) expect(cat.probe.transfer).toHaveLength(3)
    expect(g.controls.length).toBeGreaterThan(0)
    expect(g.absorption.summary.map((a: { kind: string }) => a.kind)).toEqual(['concept', 'language'])
    expect(stdout).toMatch(/represented = transfer probe/)
  })

  it('trains a standard SAE with dense latents: a plain standard folder, the allowance in its training log', async () => {
    const out = path.join(dir, 'dense')
    await cli(['train-sae', '--model', modelDir, '--arch', 'standard', '--d-sae', '32', '--l1', '1', '--dense-latents', '4', '--dense-penalty', '0.1', ...trainArgs, '--steps', '10', '--out', out])
    const cfg = JSON.parse(await readFile(path.join(out, 'cfg.json'), 'utf8'))
    expect(cfg.architecture).toBe('standard')
    const log = JSON.parse(await readFile(path.join(out, 'training_log.json'), 'utf8'))
    expect(log.trainer).toMatchObject({ denseLatents: 4, denseLatentPenalty: 0.1 })
  })

  it('trains a batchtopk SAE, saved as jumprelu', async () => {
    const out = path.join(dir, 'btk')
    await cli(['train-sae', '--model', modelDir, '--arch', 'batchtopk', '--d-sae', '32', '--k', '4', ...trainArgs, '--steps', '10', '--out', out])
    const cfg = JSON.parse(await readFile(path.join(out, 'cfg.json'), 'utf8'))
    expect(cfg.architecture).toBe('jumprelu')
  })

  it('trains a matryoshka_batchtopk SAE, saved as jumprelu with its widths noted; refuses bad widths', async () => {
    const out = path.join(dir, 'matryoshka')
    await cli(['train-sae', '--model', modelDir, '--arch', 'matryoshka_batchtopk', '--d-sae', '32', '--k', '4', '--matryoshka-widths', '4,12,32', ...trainArgs, '--steps', '10', '--out', out])
    const cfg = JSON.parse(await readFile(path.join(out, 'cfg.json'), 'utf8'))
    expect(cfg.architecture).toBe('jumprelu')
    expect(cfg.metadata.monoscope_matryoshka_widths).toEqual([4, 12, 32])
    const log = JSON.parse(await readFile(path.join(out, 'training_log.json'), 'utf8'))
    expect(JSON.stringify(log)).toContain('"matryoshkaWidths":[4,12,32]')
    // --resume compares the widths by value (a list): a stopped run continues, one with other widths is refused.
    const resumable = ['train-sae', '--model', modelDir, '--arch', 'matryoshka_batchtopk', '--d-sae', '32', '--k', '4', ...trainArgs, '--steps', '6', '--checkpoint-every', '3', '--out', path.join(dir, 'm-resume')]
    await cli([...resumable, '--matryoshka-widths', '4,12,32', '--stop-after', '3'])
    await expect(cli([...resumable, '--matryoshka-widths', '8,32', '--resume'])).rejects.toMatchObject({ stderr: expect.stringMatching(/matryoshkaWidths 4,12,32 ≠ 8,32/) })
    expect((await cli([...resumable, '--matryoshka-widths', '4,12,32', '--resume'])).stderr).toMatch(/resumed at step 3/)
    const bad = (args: string[]) => cli(['train-sae', '--model', modelDir, ...args, '--d-sae', '32', '--k', '4', ...trainArgs, '--steps', '2', '--out', path.join(dir, 'never')])
    await expect(bad(['--arch', 'matryoshka_batchtopk', '--matryoshka-widths', '4,12'])).rejects.toMatchObject({ stderr: expect.stringMatching(/--matryoshka-widths: the last matryoshka width must be d_sae \(32\)/) })
    await expect(bad(['--arch', 'matryoshka_batchtopk', '--matryoshka-widths', '12,4,32'])).rejects.toMatchObject({ stderr: expect.stringMatching(/strictly ascending/) })
    await expect(bad(['--arch', 'batchtopk', '--matryoshka-widths', '4,32'])).rejects.toMatchObject({ stderr: expect.stringMatching(/applies to matryoshka_batchtopk only/) })
  })

  it('resumes from a checkpoint to bit-identical weights, from the live store and from a harvested cache', async () => {
    const base = ['train-sae', '--model', modelDir, '--arch', 'standard', '--d-sae', '16', '--l1', '1', ...trainArgs, '--sparsity-rows', '64']
    const weights = async (d: string) => readFile(path.join(d, 'sae_weights.safetensors'))
    const cache = path.join(dir, 'acts.safetensors')
    await cli(['harvest', '--model', modelDir, '--hook', hook, '--rows', '900', '--context', '16', '--out', cache])
    for (const source of [[], ['--activations', cache]]) {
      const whole = await mkdtemp(path.join(dir, 'whole-'))
      const split = await mkdtemp(path.join(dir, 'split-'))
      await cli([...base, ...source, '--out', whole])
      const stopped = await cli([...base, ...source, '--checkpoint-every', '10', '--stop-after', '20', '--out', split])
      expect(stopped.stderr).toMatch(/stopped after step 20/)
      await expect(readFile(path.join(split, 'sae_weights.safetensors'))).rejects.toThrow()
      const resumed = await cli([...base, ...source, '--checkpoint-every', '10', '--resume', '--out', split])
      expect(resumed.stderr).toMatch(/resumed at step 20 of 30/)
      expect(Buffer.compare(await weights(whole), await weights(split))).toBe(0)
      const log = JSON.parse(await readFile(path.join(split, 'training_log.json'), 'utf8'))
      expect(log.log.at(-1).step).toBe(30)
      await expect(readFile(path.join(split, 'checkpoint.safetensors'))).rejects.toThrow() // removed once the run is complete
    }
    const wrong = await cli([...base, '--d-sae', '8', '--resume', '--out', path.join(dir, 'nowhere')]).catch((e: { stderr: string }) => e)
    expect((wrong as { stderr: string }).stderr).toMatch(/--resume: .*checkpoint.safetensors does not exist/)
  })

  it('splits its steps (train-sae) and its passes (harvest) over threads: agreeing with one thread, deterministic across a resume', async () => {
    const base = ['train-sae', '--model', modelDir, '--arch', 'topk', '--d-sae', '32', '--k', '4', ...trainArgs, '--batch', '256', '--steps', '8', '--sparsity-rows', '64']
    const weights = async (d: string) => readSafetensors(new Uint8Array(await readFile(path.join(d, 'sae_weights.safetensors'))))
    const [one, two, twoResumed] = [path.join(dir, 't1'), path.join(dir, 't2'), path.join(dir, 't2r')]
    expect((await cli([...base, '--threads', '1', '--out', one])).stderr).toMatch(/on 1 thread, the encoder forward on onnxruntime-node \(cpu\), 1 thread, data/)
    expect((await cli([...base, '--threads', '2', '--out', two])).stderr).toMatch(/on 2 threads, the encoder forward on onnxruntime-node \(cpu\), 1 thread each \(the model's passes on 2\),/)
    await cli([...base, '--threads', '2', '--checkpoint-every', '4', '--stop-after', '4', '--out', twoResumed])
    await cli([...base, '--threads', '2', '--checkpoint-every', '4', '--resume', '--out', twoResumed])
    expect(Buffer.compare(await readFile(path.join(two, 'sae_weights.safetensors')), await readFile(path.join(twoResumed, 'sae_weights.safetensors')))).toBe(0)
    // The encoder forward in tfjs instead of onnxruntime: the same run to float rounding, not bit for bit.
    const tfjsEncoder = path.join(dir, 't1tfjs')
    expect((await cli([...base, '--threads', '1', '--encoder', 'tfjs', '--out', tfjsEncoder])).stderr).toMatch(/on 1 thread, data/)
    const [a, b, c] = [await weights(one), await weights(two), await weights(tfjsEncoder)]
    for (const name of ['W_enc', 'W_dec', 'b_enc', 'b_dec']) {
      const x = a.tensors.get(name)!.data
      const scale = Math.max(...Array.from(x, Math.abs))
      for (const [other, why] of [[b, 'two threads sum in another order'], [c, "tfjs's matMul rounds otherwise"]] as const) {
        const y = other.tensors.get(name)!.data
        expect(Math.max(...Array.from(x, (v, i) => Math.abs(v - y[i]!))) / scale, name).toBeLessThan(1e-3)
        expect(Buffer.compare(Buffer.from(x.buffer, x.byteOffset, x.byteLength), Buffer.from(y.buffer, y.byteOffset, y.byteLength)), `${name}: ${why}`).not.toBe(0)
      }
    }
    // harvest: the passes run on worker threads, each with its own copy of the model; the file is the same.
    const harvest = (threads: string, out: string) => cli(['harvest', '--model', modelDir, '--hook', hook, '--rows', '700', '--context', '16', '--threads', threads, '--out', out])
    expect((await harvest('1', path.join(dir, 'h1.safetensors'))).stderr).toMatch(/on 1 thread\)/)
    expect((await harvest('2', path.join(dir, 'h2.safetensors'))).stderr).toMatch(/on 2 threads\)/)
    expect(Buffer.compare(await readFile(path.join(dir, 'h1.safetensors')), await readFile(path.join(dir, 'h2.safetensors')))).toBe(0)
    // BatchTopK's steps stay on one thread, but the live store's passes still run on two: the same weights, bit for bit.
    const batchTopK = await cli([...base, '--arch', 'batchtopk', '--threads', '2', '--steps', '2', '--out', path.join(dir, 'tb')])
    expect(batchTopK.stderr).toMatch(/batchtopk selects its latents across the whole batch, so its steps do not split over threads/)
    expect(batchTopK.stderr).toMatch(/on 1 thread, the encoder forward on onnxruntime-node \(cpu\), 2 threads \(the model's passes on 2\)/)
    await cli([...base, '--arch', 'batchtopk', '--threads', '1', '--steps', '2', '--out', path.join(dir, 'tb1')])
    expect(Buffer.compare(await readFile(path.join(dir, 'tb', 'sae_weights.safetensors')), await readFile(path.join(dir, 'tb1', 'sae_weights.safetensors')))).toBe(0)
  })

  it('fails with clear messages and exit code 2', async () => {
    const fail = (args: string[], message: RegExp) => expect(cli(args)).rejects.toMatchObject({ code: 2, stderr: expect.stringMatching(message) })
    await fail(['features', '--model', modelDir, '--sae', saeDir, '--hook', 'blocks.1.hook_resid_post', '--ids', '1', '--json'], /trained on "blocks.0.hook_resid_post"/)
    await fail(['train-sae', '--model', modelDir, '--hook', 'blocks.5.hook_resid_post', '--out', path.join(dir, 'x')], /layer 5/)
    await fail(['train-sae', '--model', modelDir, '--hook', hook, '--arch', 'topk', '--l1', '3', '--out', path.join(dir, 'x')], /--l1 does not apply/)
    await fail(['eval-sae', '--model', modelDir, '--sae', path.join(dir, 'nope')], /nope/)
    await fail(['train-sae', '--model', modelDir, '--hook', hook, '--encoder', 'numpy', '--out', path.join(dir, 'x')], /--encoder must be onnxruntime or tfjs, got "numpy"/)
  })
})

describe('monoscope analyze', () => {
  it('writes feature pages that validate, with a concept match per feature on TinyWorld, and a UMAP map', async () => {
    const out = path.join(path.dirname(saeDir), 'analysis.json')
    const map = path.join(path.dirname(saeDir), 'map.json')
    await cli(['analyze', '--model', modelDir, '--sae', saeDir, '--id', 'tiny/sae', '--tokens', '400', '--out', out, '--map', map])
    const file = parseFeatureAnalysis(JSON.parse(await readFile(out, 'utf8')))
    expect(file.features).toHaveLength(32)
    expect(file.features.some((f) => f.top_examples.length > 0)).toBe(true)
    expect(file.features.filter((f) => f.active_tokens > 0).every((f) => f.concept !== null)).toBe(true)
    const layout = parseFeatureMap(JSON.parse(await readFile(map, 'utf8')))
    expect(layout.saes).toEqual([{ id: 'tiny/sae', d_sae: 32 }])
    expect(layout.points.x).toHaveLength(32)
    expect(layout.points.x.every(Number.isFinite)).toBe(true)
  })
})
