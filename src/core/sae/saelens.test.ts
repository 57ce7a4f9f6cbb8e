// SAELens folders: write → read gives identical outputs; 6.x and pre-6.0 configs load; folder, URL and Hub
// subfolder sources work; malformed configs and mis-shaped tensors fail with messages that say what is wrong.
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import * as tf from '@tensorflow/tfjs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { selectBackend } from '../backend/backend.ts'
import { InvalidArgumentError, SafetensorsFormatError, SaeFormatError } from '../errors.ts'
import { writeSafetensors } from '../formats/safetensors.ts'
import { createFolderSource, createHubSource, createUrlSource } from '../sources/index.ts'
import { startHubServer, type HubServer } from '../sources/testing/hubServer.ts'
import { parseSaeLensConfig, saeConfigToJson } from './config.ts'
import { loadSaeLens, readSaeLensFolder, saeLensFiles, SAE_CFG_FILENAME, SAE_WEIGHTS_FILENAME, SPARSITY_FILENAME } from './saelens.ts'
import { Sae } from './sae.ts'
import { CFG_6X_JUMPRELU, CFG_6X_TOPK, CFG_PRE6_GPT2_RES_JB, CFG_PRE6_NORMALIZED, CFG_PRE6_TOPK } from './testing/fixtures.ts'
import { randomArray } from './testing/random.ts'
import { defaultSaeConfig, type SaeArrays, type SaeConfig } from './types.ts'

beforeAll(async () => {
  await selectBackend(['wasm'])
})

const dIn = 8
const dSae = 16

function randomArrays(seed: number, threshold: boolean): SaeArrays {
  return {
    wEnc: randomArray(dIn * dSae, seed),
    wDec: randomArray(dSae * dIn, seed + 1),
    bEnc: randomArray(dSae, seed + 2, 0.3),
    bDec: randomArray(dIn, seed + 3, 0.3),
    threshold: threshold ? Float32Array.from(randomArray(dSae, seed + 4, 0.5), Math.abs) : null,
  }
}

/** Weights file bytes in SAELens's names and shapes, with per-tensor overrides. */
function weightsBytes(arrays: SaeArrays, overrides: Record<string, { shape: number[]; data: Float32Array } | null> = {}): Uint8Array {
  const tensors: Record<string, { shape: number[]; data: Float32Array }> = {
    W_enc: { shape: [dIn, dSae], data: arrays.wEnc },
    W_dec: { shape: [dSae, dIn], data: arrays.wDec },
    b_enc: { shape: [dSae], data: arrays.bEnc },
    b_dec: { shape: [dIn], data: arrays.bDec },
  }
  if (arrays.threshold) tensors.threshold = { shape: [dSae], data: arrays.threshold }
  for (const [name, t] of Object.entries(overrides)) {
    if (t === null) delete tensors[name]
    else tensors[name] = t
  }
  return writeSafetensors(tensors)
}

const x = () => tf.tensor2d(randomArray(12 * dIn, 99, 2), [12, dIn])

/** encode and forward outputs as plain arrays, for exact comparison. */
function outputs(sae: Sae): { f: Float32Array; xHat: Float32Array } {
  const input = x()
  const f = sae.encode(input)
  const xHat = sae.forward(input)
  const out = { f: f.dataSync() as Float32Array, xHat: xHat.dataSync() as Float32Array }
  tf.dispose([input, f, xHat])
  return out
}

function configWith(architecture: SaeConfig['architecture']): SaeConfig {
  const c = defaultSaeConfig(architecture, dIn, dSae, 4)
  return {
    ...c,
    rescaleActsByDecoderNorm: architecture === 'topk',
    metadata: { ...c.metadata, modelName: 'tinyworld', hookName: 'blocks.2.hook_resid_post', contextSize: 64, prependBos: true, extra: { seqpos_slice: [null] } },
  }
}

describe('write → read round trip', () => {
  for (const architecture of ['standard', 'topk', 'jumprelu'] as const) {
    it(`${architecture}: identical config, weights and outputs`, async () => {
      const config = configWith(architecture)
      const arrays = randomArrays(10, architecture === 'jumprelu')
      const original = Sae.fromArrays(config, arrays)
      const logSparsity = Float32Array.from(randomArray(dSae, 7), (v) => -2 - Math.abs(v))
      const files = saeLensFiles(config, await original.toArrays(), { logSparsity })
      expect(Object.keys(files).sort()).toEqual([SAE_CFG_FILENAME, SPARSITY_FILENAME, SAE_WEIGHTS_FILENAME].sort())

      const data = readSaeLensFolder({ cfg: files[SAE_CFG_FILENAME], weights: files[SAE_WEIGHTS_FILENAME] as Uint8Array, sparsity: files[SPARSITY_FILENAME] as Uint8Array })
      expect(data.layout).toBe('6.x')
      expect(data.config).toEqual({ ...config, metadata: { ...config.metadata, saeLensVersion: '6.0.0' } })
      expect(data.logSparsity).toEqual(logSparsity)
      const loaded = Sae.fromArrays(data.config, data.arrays)
      expect(outputs(loaded)).toEqual(outputs(original))
      // Writing the read config again gives the same file.
      expect(`${JSON.stringify(saeConfigToJson(data.config), null, 2)}\n`).toBe(files[SAE_CFG_FILENAME])
      original.dispose()
      loaded.dispose()
    })
  }

  it('writes the 6.x cfg.json SAELens reads (sizes at the top, provenance under metadata, a 6.x version)', () => {
    const files = saeLensFiles(configWith('topk'), randomArrays(1, false))
    const cfg = JSON.parse(files[SAE_CFG_FILENAME] as string)
    expect(cfg).toMatchObject({ architecture: 'topk', d_in: 8, d_sae: 16, k: 4, rescale_acts_by_decoder_norm: true, apply_b_dec_to_input: true, normalize_activations: 'none' })
    expect(cfg.metadata).toMatchObject({ sae_lens_version: '6.0.0', model_name: 'tinyworld', hook_name: 'blocks.2.hook_resid_post', context_size: 64, seqpos_slice: [null] })
  })
})

describe('configs from SAELens releases', () => {
  it('reads a 6.x jumprelu config', () => {
    const { config, layout } = parseSaeLensConfig(JSON.stringify(CFG_6X_JUMPRELU))
    expect(layout).toBe('6.x')
    expect(config).toMatchObject({ architecture: 'jumprelu', dIn: 8, dSae: 16, applyBDecToInput: false, normalizeActivations: 'none', k: null })
    expect(config.metadata).toMatchObject({
      modelName: 'gemma-2-2b',
      hookName: 'blocks.12.hook_resid_post',
      hookHeadIndex: null,
      prependBos: true,
      contextSize: 1024,
      datasetPath: 'monology/pile-uncopyrighted',
      neuronpediaId: 'gemma-2-2b/12-gemmascope-res-16k',
      saeLensVersion: '6.5.1',
    })
    expect(config.metadata.extra).toEqual({ model_from_pretrained_kwargs: {}, seqpos_slice: [null], exclude_special_tokens: false })
  })

  it('reads a 6.x topk config', () => {
    const { config } = parseSaeLensConfig(CFG_6X_TOPK)
    expect(config).toMatchObject({ architecture: 'topk', k: 4, rescaleActsByDecoderNorm: true, device: 'cuda' })
  })

  it('reads the pre-6.0 flat config of the GPT-2 small residual SAEs', () => {
    const { config, layout } = parseSaeLensConfig(CFG_PRE6_GPT2_RES_JB)
    expect(layout).toBe('pre-6.0')
    expect(config).toMatchObject({
      architecture: 'standard',
      dIn: 8,
      dSae: 16,
      dtype: 'torch.float32',
      device: 'mps',
      applyBDecToInput: true,
      normalizeActivations: 'none',
      reshapeActivations: 'none',
    })
    expect(config.metadata).toMatchObject({ modelName: 'gpt2-small', hookName: 'blocks.8.hook_resid_pre', hookHeadIndex: null, contextSize: 128, prependBos: true, datasetPath: 'Skylion007/openwebtext' })
    // Training settings (lr, l1_coefficient, …) are not carried over, as SAELens drops them too.
    expect(config.metadata.extra).toEqual({})
    // d_sae may be missing in such files: it comes from expansion_factor.
    const { d_sae: _unused, ...withoutDSae } = CFG_PRE6_GPT2_RES_JB
    expect(parseSaeLensConfig(withoutDSae).config.dSae).toBe(16)
  })

  it('reads a pre-6.0 topk config (activation_fn_str "topk", k in activation_fn_kwargs) with layer_norm', () => {
    const { config } = parseSaeLensConfig(CFG_PRE6_TOPK)
    expect(config).toMatchObject({ architecture: 'topk', k: 4, normalizeActivations: 'layer_norm', rescaleActsByDecoderNorm: false })
    expect(config.metadata).toMatchObject({ hookName: 'blocks.11.hook_resid_post', prependBos: false, saeLensVersion: '3.13.0', neuronpediaId: 'gpt2-small/11-res_post_32k-oai' })
  })

  it('pre-6.0 normalize_activations true needs its constant; given it, the constant is folded in', () => {
    const arrays = randomArrays(20, false)
    const scaling = { shape: [dSae], data: Float32Array.from({ length: dSae }, (_, i) => 1 + i / 10) }
    const weights = weightsBytes(arrays, { scaling_factor: scaling })
    expect(() => Sae.fromArrays(readSaeLensFolder({ cfg: CFG_PRE6_NORMALIZED, weights }).config, arrays)).toThrow(/normScalingFactor/)

    const s = 0.25
    const data = readSaeLensFolder({ cfg: CFG_PRE6_NORMALIZED, weights }, { normScalingFactor: s })
    expect(data.config.normalizeActivations).toBe('none')
    const folded = Sae.fromArrays(data.config, data.arrays)
    // Reference: the SAE on s·x, with f scaled by scaling_factor before decoding, reconstructions divided by s.
    const plain = Sae.fromArrays(defaultSaeConfig('standard', dIn, dSae), arrays)
    const input = x()
    const f = plain.encode(tf.mul(input, s))
    const expected = tf.div(tf.add(tf.matMul(tf.mul(f, scaling.data) as tf.Tensor2D, plain.weights.wDec), plain.weights.bDec), s)
    const got = folded.forward(input)
    expect(tf.max(tf.abs(tf.sub(got, expected))).dataSync()[0]).toBeLessThan(1e-4)
    tf.dispose([input, f, expected, got])
    folded.dispose()
    plain.dispose()
    expect(() => readSaeLensFolder({ cfg: CFG_6X_TOPK, weights: weightsBytes(arrays) }, { normScalingFactor: 2 })).toThrow(InvalidArgumentError)
  })
})

describe('loading from sources', () => {
  const config = configWith('jumprelu')
  const arrays = randomArrays(30, true)
  const files = saeLensFiles(config, arrays)
  const folder = 'blocks.8.hook_resid_pre'
  let server: HubServer
  let reference: { f: Float32Array; xHat: Float32Array }

  beforeAll(async () => {
    server = await startHubServer({
      [`jbloom/GPT2-Small-SAEs-Reformatted/${folder}/${SAE_CFG_FILENAME}`]: files[SAE_CFG_FILENAME]!,
      [`jbloom/GPT2-Small-SAEs-Reformatted/${folder}/${SAE_WEIGHTS_FILENAME}`]: files[SAE_WEIGHTS_FILENAME]!,
      [`jbloom/GPT2-Small-SAEs-Reformatted/${folder}/${SPARSITY_FILENAME}`]: writeSafetensors({ sparsity: { shape: [dSae], data: new Float32Array(dSae).fill(-3) } }),
      [`plain/${SAE_CFG_FILENAME}`]: files[SAE_CFG_FILENAME]!,
      [`plain/${SAE_WEIGHTS_FILENAME}`]: files[SAE_WEIGHTS_FILENAME]!,
    }, { redirectLfs: true })
    const sae = Sae.fromArrays(config, arrays)
    reference = outputs(sae)
    sae.dispose()
  })
  afterAll(() => server.close())

  it('loads from a Hub repo subfolder (with its sparsity file)', async () => {
    const source = createHubSource({ repoId: 'jbloom/GPT2-Small-SAEs-Reformatted' }, { endpoint: server.url }).subfolder(folder)
    const { sae, logSparsity } = await loadSaeLens(source)
    expect(outputs(sae)).toEqual(reference)
    expect(logSparsity).toEqual(new Float32Array(dSae).fill(-3))
    expect(server.requests.map((r) => r.path)).toContain(`/jbloom/GPT2-Small-SAEs-Reformatted/resolve/main/${folder}/${SAE_CFG_FILENAME}`)
    sae.dispose()
  })

  it('loads from a URL without a sparsity file', async () => {
    const { sae, logSparsity } = await loadSaeLens(createUrlSource(`${server.url}/plain`))
    expect(outputs(sae)).toEqual(reference)
    expect(logSparsity).toBeNull()
    sae.dispose()
  })

  it('loads from a local folder, and names the source in errors', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'monoscope-sae-'))
    try {
      for (const [name, body] of Object.entries(files)) await writeFile(path.join(dir, name), body)
      const { sae } = await loadSaeLens(createFolderSource(dir))
      expect(outputs(sae)).toEqual(reference)
      sae.dispose()
      await writeFile(path.join(dir, SAE_CFG_FILENAME), JSON.stringify({ ...CFG_6X_JUMPRELU, d_in: 9 }))
      await expect(loadSaeLens(createFolderSource(dir))).rejects.toThrow(new RegExp(`${dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}.*W_enc has shape \\[8, 16\\]`))
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})

describe('clear errors', () => {
  const arrays = randomArrays(40, false)
  const cfg = saeConfigToJson(defaultSaeConfig('standard', dIn, dSae))
  const read = (weights: Uint8Array, c: unknown = cfg) => () => readSaeLensFolder({ cfg: c, weights })

  it('a transposed W_enc or W_dec says so', () => {
    expect(read(weightsBytes(arrays, { W_enc: { shape: [dSae, dIn], data: arrays.wEnc } }))).toThrow(
      /W_enc has shape \[16, 8\], which is \[d_sae, d_in\]: it looks transposed; SAELens stores W_enc as \[8, 16\] \(d_in, d_sae\)/,
    )
    expect(read(weightsBytes(arrays, { W_dec: { shape: [dIn, dSae], data: arrays.wDec } }))).toThrow(/W_dec .* looks transposed/)
  })

  it('other shape mismatches, missing and unexpected tensors, non-finite values', () => {
    expect(read(weightsBytes(arrays, { b_dec: { shape: [dSae], data: new Float32Array(dSae) } }))).toThrow(/b_dec has shape \[16\] but cfg.json \(d_in=8, d_sae=16\) needs \[8\] \(d_in\)/)
    expect(read(weightsBytes(arrays, { b_enc: { shape: [1, dSae], data: arrays.bEnc } }))).toThrow(/b_enc has shape \[1, 16\]/)
    expect(read(weightsBytes(arrays, { b_enc: null }))).toThrow(/missing tensor "b_enc"/)
    expect(read(weightsBytes(arrays, { threshold: { shape: [dSae], data: new Float32Array(dSae) } }))).toThrow(/unexpected tensor "threshold".*jumprelu/)
    expect(read(weightsBytes(arrays), saeConfigToJson(defaultSaeConfig('jumprelu', dIn, dSae)))).toThrow(/missing tensor "threshold"/)
    const withNaN = arrays.wDec.slice()
    withNaN[5] = NaN
    expect(read(weightsBytes(arrays, { W_dec: { shape: [dSae, dIn], data: withNaN } }))).toThrow(/W_dec holds NaN at flat index 5/)
    expect(read(weightsBytes(arrays, { scaling_factor: { shape: [dSae], data: new Float32Array(dSae).fill(2) } }))).toThrow(/finetuning_scaling_factor/)
    expect(read(new Uint8Array([1, 2, 3]))).toThrow(SafetensorsFormatError)
    expect(read(new Uint8Array([1, 2, 3]))).toThrow(/sae_weights.safetensors/)
    for (const err of [read(weightsBytes(arrays, { b_enc: null }))]) expect(err).toThrow(SaeFormatError)
  })

  it('malformed configs name the field', () => {
    const bad = (c: unknown) => () => parseSaeLensConfig(c)
    expect(bad('{"d_in": ')).toThrow(/not valid JSON/)
    expect(bad([1, 2])).toThrow(/must be a JSON object, got an array/)
    expect(bad({ ...CFG_6X_JUMPRELU, d_in: '8' })).toThrow(/d_in: expected number, received string \(got "8"\)/)
    expect(bad({ ...CFG_6X_JUMPRELU, d_sae: 0 })).toThrow(/d_sae: .*\(got 0\)/)
    expect(bad({ ...CFG_6X_JUMPRELU, architecture: undefined })).toThrow(/architecture: .*\(missing\)/)
    expect(bad({ ...CFG_6X_JUMPRELU, architecture: 'gated' })).toThrow(/"gated" is not supported/)
    expect(bad({ ...CFG_6X_JUMPRELU, architecture: 'batchtopk' })).toThrow(/training checkpoint.*jumprelu/)
    expect(bad({ ...CFG_6X_JUMPRELU, architecture: 'transcoder' })).toThrow(/unknown architecture "transcoder"/)
    expect(bad({ ...CFG_6X_JUMPRELU, normalize_activations: 'batch_norm' })).toThrow(/normalize_activations/)
    expect(bad({ ...CFG_6X_JUMPRELU, dtype: 'int8' })).toThrow(/dtype/)
    expect(bad({ ...CFG_6X_JUMPRELU, metadata: 'gpt2' })).toThrow(/metadata must be an object/)
    expect(bad({ ...CFG_6X_JUMPRELU, metadata: { ...CFG_6X_JUMPRELU.metadata, context_size: -1 } })).toThrow(/metadata.context_size/)
    expect(bad({ ...CFG_6X_TOPK, k: undefined })).toThrow(/topk SAE needs k/)
    expect(bad({ ...CFG_6X_TOPK, k: 17 })).toThrow(/k \(17\) must not exceed d_sae \(16\)/)
    expect(bad({ ...CFG_PRE6_GPT2_RES_JB, hook_point_layer: 7 })).toThrow(/hook_point_layer 7 disagrees with hook point "blocks.8.hook_resid_pre" \(layer 8\)/)
    expect(bad({ ...CFG_PRE6_GPT2_RES_JB, d_sae: undefined, expansion_factor: undefined })).toThrow(/d_sae is missing/)
    expect(bad({ ...CFG_PRE6_TOPK, activation_fn_kwargs: {} })).toThrow(/activation_fn_kwargs.k/)
    expect(bad({ ...CFG_PRE6_TOPK, activation_fn_str: 'tanh-relu' })).toThrow(/activation_fn "tanh-relu" is not supported/)
    for (const c of [{ ...CFG_6X_JUMPRELU, d_in: -1 }, null]) expect(bad(c)).toThrow(SaeFormatError)
  })

  it('a sparsity file of the wrong size', () => {
    const sparsity = writeSafetensors({ sparsity: { shape: [dSae + 1], data: new Float32Array(dSae + 1) } })
    expect(() => readSaeLensFolder({ cfg, weights: weightsBytes(arrays), sparsity })).toThrow(/"sparsity" has shape \[17\] but d_sae is 16/)
  })
})
