// Loads a model in the Hugging Face repo layout from any FileSource (folder, URL, Hub): config.json, the weights
// (model.safetensors or its sharded index for the tfjs engine; onnx/model*.onnx for the ONNX engine), and the
// optional tokenizer.json, tokenizer_config.json and generation_config.json.
import { ModelConfigError, ModelWeightsError, SourceNotFoundError } from '../errors.ts'
import { readSafetensors, type TensorEntry } from '../formats/safetensors.ts'
import type { FetchOptions, FileSource } from '../sources/index.ts'
import { loadTokenizer, type HfTextTokenizer } from '../tokenizer/tokenizer.ts'
import { parseGpt2Config } from './config.ts'
import { HookedGpt2 } from './gpt2.ts'
import type { EngineKind, HookedModel } from './hookedModel.ts'
import { loadOnnxModel, ONNX_VARIANTS, type OnnxVariant } from './onnx/loadOnnx.ts'
import { TfjsEngine } from './tfjsEngine.ts'
import { parseJsonChecked } from '../formats/safeJson.ts'

export const WEIGHTS_FILE = 'model.safetensors'
export const WEIGHTS_INDEX_FILE = 'model.safetensors.index.json'

export interface LoadedModel {
  model: HookedModel
  /** Null when the repo has no tokenizer.json (the model then takes token ids only). */
  tokenizer: HfTextTokenizer | null
  /** generation_config.json as written, or {} when absent. */
  generationConfig: Record<string, unknown>
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

function parseJson(text: string, file: string, source: FileSource): unknown {
  return parseJsonChecked(text, (detail) => {
    const message = `${file} in ${source.description} is ${detail}`
    throw file === 'config.json' ? new ModelConfigError(message) : new ModelWeightsError(message)
  })
}

/** The file's text, or null when the source has no such file. */
async function optionalText(source: FileSource, file: string, opts: FetchOptions): Promise<string | null> {
  try {
    return await source.fetchText(file, opts)
  } catch (err) {
    if (err instanceof SourceNotFoundError) return null
    throw err
  }
}

/** One model.safetensors, or the shards a model.safetensors.index.json lists (large exports). */
async function fetchWeights(source: FileSource, opts: FetchOptions): Promise<Map<string, TensorEntry>> {
  try {
    return readSafetensors(await source.fetchBytes(WEIGHTS_FILE, opts)).tensors
  } catch (err) {
    if (!(err instanceof SourceNotFoundError)) throw err
    const indexText = await optionalText(source, WEIGHTS_INDEX_FILE, opts)
    if (indexText === null) {
      throw new SourceNotFoundError(`${source.description} has no ${WEIGHTS_FILE} for the tfjs engine (PyTorch .bin is not read: save with safetensors, or load its ONNX export with the ONNX engine)`)
    }
    const index = parseJson(indexText, WEIGHTS_INDEX_FILE, source)
    const weightMap = isRecord(index) && isRecord(index.weight_map) ? index.weight_map : null
    if (!weightMap) throw new ModelWeightsError(`${WEIGHTS_INDEX_FILE} in ${source.description} has no "weight_map" object`)
    const shards = [...new Set(Object.values(weightMap).map(String))]
    const tensors = new Map<string, TensorEntry>()
    for (const shard of shards) {
      for (const [name, entry] of readSafetensors(await source.fetchBytes(shard, opts)).tensors) tensors.set(name, entry)
    }
    return tensors
  }
}

/** Which engine runs a model: 'auto' takes safetensors + model_type gpt2 to tfjs and everything else to ONNX. */
export type EngineChoice = 'auto' | EngineKind

export interface LoadModelOptions extends FetchOptions {
  engine?: EngineChoice
  /** Which ONNX file when the model runs on ONNX (transformers.js's dtype names); default fp32 (onnx/model.onnx). It does not pick the engine. */
  onnxVariant?: OnnxVariant
}

/** The engines, keyed by kind: each builds a HookedModel from the source and its parsed config.json. */
const MODEL_ENGINES: Record<EngineKind, (source: FileSource, configJson: unknown, opts: LoadModelOptions) => Promise<HookedModel>> = {
  tfjs: async (source, configJson, opts) => {
    const config = parseGpt2Config(configJson) // fails fast, before the big download
    return new TfjsEngine(HookedGpt2.fromTensors(config, await fetchWeights(source, opts)))
  },
  onnx: (source, configJson, opts) => loadOnnxModel(source, configJson, opts.onnxVariant ?? 'fp32', opts),
}

/** 'auto': GPT-2 with safetensors weights runs on tfjs (trainable, differentiable); anything else on ONNX. */
async function chooseEngine(source: FileSource, configJson: unknown, opts: LoadModelOptions): Promise<EngineKind> {
  if (opts.engine && opts.engine !== 'auto') return opts.engine
  const family = isRecord(configJson) ? configJson.model_type : undefined
  if (family !== undefined && family !== 'gpt2') return 'onnx'
  const hasSafetensors = await source.exists(WEIGHTS_FILE, opts)
  const hasIndex = !hasSafetensors && (await source.exists(WEIGHTS_INDEX_FILE, opts))
  if (hasSafetensors || hasIndex) return 'tfjs'
  const onnxFile = ONNX_VARIANTS[opts.onnxVariant ?? 'fp32']
  if (!(await source.exists(onnxFile, opts))) throw new SourceNotFoundError(`${source.description} has no ${WEIGHTS_FILE} and no ${onnxFile} (PyTorch .bin repos are not read; save with safetensors or export to ONNX)`)
  return 'onnx'
}

/**
 * Reads a model repo in the Hugging Face layout and builds the engine its files call for (see chooseEngine).
 * Progress events name each file; `opts.signal` aborts the downloads (CancelledError). Throws ModelConfigError,
 * ModelWeightsError, SafetensorsFormatError, TokenizerError or the source's errors, each naming the file at fault.
 */
export async function loadModel(source: FileSource, opts: LoadModelOptions = {}): Promise<LoadedModel> {
  const configJson = parseJson(await source.fetchText('config.json', opts), 'config.json', source)
  const kind = await chooseEngine(source, configJson, opts)
  // The small optional files download alongside the weights.
  const [model, tokenizerText, tokenizerConfigText, generationText] = await Promise.all([
    MODEL_ENGINES[kind](source, configJson, opts),
    optionalText(source, 'tokenizer.json', opts),
    optionalText(source, 'tokenizer_config.json', opts),
    optionalText(source, 'generation_config.json', opts),
  ])
  try {
    let tokenizer: HfTextTokenizer | null = null
    if (tokenizerText !== null) {
      const tokenizerConfig = tokenizerConfigText === null ? {} : parseJson(tokenizerConfigText, 'tokenizer_config.json', source)
      tokenizer = loadTokenizer(tokenizerText, isRecord(tokenizerConfig) ? tokenizerConfig : {})
    }
    const generation = generationText === null ? {} : parseJson(generationText, 'generation_config.json', source)
    return { model, tokenizer, generationConfig: isRecord(generation) ? generation : {} }
  } catch (err) {
    model.dispose()
    throw err
  }
}
