// `monoscope random-model`: a GPT-2 of a real shape with seeded random weights, and optionally a random SAE of a real
// width beside it, for scale tests and benchmarks (GPT-2 small with a 24,576-feature SAE, the shape of the most used
// public GPT-2 SAEs) without downloading anything. The tokenizer is TinyWorld's, its vocabulary padded with
// placeholder words ("tok986", …) up to the model's, so TinyWorld prompts read as words and every id decodes.
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { selectBackend } from '../../core/backend/backend.ts'
import { InvalidArgumentError } from '../../core/errors.ts'
import type { Gpt2Config } from '../../core/model/config.ts'
import { parseHookName } from '../../core/model/hookNames.ts'
import { gpt2ParameterShapes } from '../../core/model/weights.ts'
import { initGpt2Tensors } from '../../core/model/init.ts'
import { tfjsModelFromTensors } from '../../core/model/tfjsEngine.ts'
import { defaultSaeConfig, saeLensFiles } from '../../core/sae/index.ts'
import { initParamArrays } from '../../core/sae/trainParams.ts'
import { parseIntFlag } from '../args.ts'
import { defaultModelSpec } from '../defaults.ts'
import { writeModelFolder } from '../modelFolder.ts'

export const randomModelUsage = `monoscope random-model --out DIR [--shape gpt2-small|gpt2-medium|tiny] [--seed N]
                        [--sae-width N [--sae-hook blocks.L.hook_resid_post]]
  Writes a GPT-2 with seeded random weights (std 0.02) in the Hugging Face layout: gpt2-small is 12 layers,
  d_model 768, 12 heads, vocabulary 50,257, context 1,024 (124M parameters, 498 MB). With --sae-width, also a
  standard SAE of that width in DIR/sae (SAELens layout; decoder rows random unit directions, W_enc = W_decᵀ), at
  the middle layer's resid_post unless --sae-hook names another.`

export const RANDOM_MODEL_SHAPES = {
  'gpt2-small': { nLayers: 12, dModel: 768, nHeads: 12, vocabSize: 50257, nCtx: 1024 },
  'gpt2-medium': { nLayers: 24, dModel: 1024, nHeads: 16, vocabSize: 50257, nCtx: 1024 },
  tiny: { nLayers: 2, dModel: 64, nHeads: 4, vocabSize: 1024, nCtx: 128 },
} as const
type Shape = keyof typeof RANDOM_MODEL_SHAPES

/** TinyWorld's tokenizer.json with placeholder words appended up to `vocabSize`. */
async function paddedTokenizer(vocabSize: number): Promise<Record<string, unknown>> {
  const json = JSON.parse(await readFile(path.join(defaultModelSpec, 'tokenizer.json'), 'utf8')) as { model: { vocab: Record<string, number> } }
  const vocab = json.model.vocab
  const used = Object.keys(vocab).length
  if (used > vocabSize) throw new InvalidArgumentError(`The vocabulary of ${vocabSize} is smaller than TinyWorld's ${used} tokens`)
  for (let id = used; id < vocabSize; id++) vocab[`tok${id}`] = id
  return json
}

export async function randomModelCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: { out: { type: 'string' }, shape: { type: 'string' }, seed: { type: 'string' }, 'sae-width': { type: 'string' }, 'sae-hook': { type: 'string' } },
    strict: true,
  })
  if (!values.out) throw new InvalidArgumentError('Say where to write the model: --out DIR')
  const shapeName = values.shape ?? 'gpt2-small'
  if (!Object.hasOwn(RANDOM_MODEL_SHAPES, shapeName)) throw new InvalidArgumentError(`--shape must be one of ${Object.keys(RANDOM_MODEL_SHAPES).join(', ')}, got "${shapeName}"`)
  const shape = RANDOM_MODEL_SHAPES[shapeName as Shape]
  const seed = parseIntFlag('seed', values.seed, 1, 0)
  const saeWidth = parseIntFlag('sae-width', values['sae-width'], 0, 0)
  const saeHook = parseHookName(values['sae-hook'] ?? `blocks.${shape.nLayers >> 1}.hook_resid_post`, shape.nLayers)

  const config: Gpt2Config = { ...shape, dMlp: 4 * shape.dModel, layerNormEps: 1e-5, activation: 'gelu_new', bosTokenId: 0, eosTokenId: 0 }
  const parameters = [...gpt2ParameterShapes(config).values()].reduce((sum, dims) => sum + dims.reduce((a: number, b: number) => a * b, 1), 0)
  process.stderr.write(`random-model: ${shapeName}, ${(parameters / 1e6).toFixed(1)}M parameters, seed ${seed}\n`)
  await selectBackend(['wasm'])
  const model = tfjsModelFromTensors(config, initGpt2Tensors(config, { seed }))
  try {
    await writeModelFolder(values.out, model, { tokenizerJson: await paddedTokenizer(shape.vocabSize), generationConfig: { bos_token_id: 0, eos_token_id: 0 } })
  } finally {
    model.dispose()
  }
  if (saeWidth > 0) {
    const base = defaultSaeConfig('standard', shape.dModel, saeWidth)
    const saeConfig = { ...base, metadata: { ...base.metadata, hookName: saeHook, prependBos: true } }
    const init = initParamArrays({ dIn: shape.dModel, dSae: saeWidth, seed: seed + 1, decoderInitNorm: 1, initThreshold: null })
    const wDecT = init.W_dec_T! // [dIn, dSae]
    const wDec = new Float32Array(saeWidth * shape.dModel) // [dSae, dIn]
    for (let i = 0; i < shape.dModel; i++) for (let j = 0; j < saeWidth; j++) wDec[j * shape.dModel + i] = wDecT[i * saeWidth + j]!
    const arrays = { wEnc: init.W_enc!, wDec, bEnc: init.b_enc!, bDec: init.b_dec!, threshold: null }
    const dir = path.join(values.out, 'sae')
    await mkdir(dir, { recursive: true })
    for (const [name, data] of Object.entries(saeLensFiles(saeConfig, arrays))) await writeFile(path.join(dir, name), data)
    process.stderr.write(`random-model: SAE of ${saeWidth} features at ${saeHook} in ${dir}\n`)
  }
  process.stderr.write(`random-model: wrote ${values.out}\n`)
}
