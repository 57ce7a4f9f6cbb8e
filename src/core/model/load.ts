// Loads a GPT-2 in the Hugging Face repo layout from any FileSource (folder, URL, Hub): config.json,
// model.safetensors (or its sharded index), and the optional tokenizer.json, tokenizer_config.json and
// generation_config.json.
import { ModelConfigError, ModelWeightsError, SourceNotFoundError } from '../errors.ts'
import { readSafetensors, type TensorEntry } from '../formats/safetensors.ts'
import type { FetchOptions, FileSource } from '../sources/index.ts'
import { loadTokenizer, type HfTextTokenizer } from '../tokenizer/tokenizer.ts'
import { parseGpt2Config } from './config.ts'
import { HookedGpt2 } from './gpt2.ts'
import type { HookedModel } from './hookedModel.ts'
import { TfjsEngine } from './tfjsEngine.ts'

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
  try {
    return JSON.parse(text)
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err)
    const message = `${file} in ${source.description} is not valid JSON: ${detail}`
    throw file === 'config.json' ? new ModelConfigError(message) : new ModelWeightsError(message)
  }
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
      throw new SourceNotFoundError(`${source.description} has no ${WEIGHTS_FILE} (PyTorch .bin and ONNX-only repos are not read; save with safetensors)`)
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

/**
 * Reads a GPT-2 repo and builds the model on the current tfjs backend. Progress events name each file;
 * `opts.signal` aborts the downloads (CancelledError). Throws ModelConfigError, ModelWeightsError,
 * SafetensorsFormatError, TokenizerError or the source's errors, each naming the file at fault.
 */
export async function loadModel(source: FileSource, opts: FetchOptions = {}): Promise<LoadedModel> {
  const configJson = parseJson(await source.fetchText('config.json', opts), 'config.json', source)
  const config = parseGpt2Config(configJson) // fails fast, before the big download
  // The small optional files download alongside the weights.
  const [tensors, tokenizerText, tokenizerConfigText, generationText] = await Promise.all([
    fetchWeights(source, opts),
    optionalText(source, 'tokenizer.json', opts),
    optionalText(source, 'tokenizer_config.json', opts),
    optionalText(source, 'generation_config.json', opts),
  ])
  let tokenizer: HfTextTokenizer | null = null
  if (tokenizerText !== null) {
    const tokenizerConfig = tokenizerConfigText === null ? {} : parseJson(tokenizerConfigText, 'tokenizer_config.json', source)
    tokenizer = loadTokenizer(tokenizerText, isRecord(tokenizerConfig) ? tokenizerConfig : {})
  }
  const generation = generationText === null ? {} : parseJson(generationText, 'generation_config.json', source)
  const model = new TfjsEngine(HookedGpt2.fromTensors(config, tensors))
  return { model, tokenizer, generationConfig: isRecord(generation) ? generation : {} }
}
