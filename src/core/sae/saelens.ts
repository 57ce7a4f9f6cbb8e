// SAELens folders: cfg.json + sae_weights.safetensors (+ optional sparsity.safetensors), read from any FileSource
// (a folder, a URL, a Hub repo subfolder) and written to an in-memory map of files that Node writes to disk and
// the browser zips.
import { InvalidArgumentError, SafetensorsFormatError, SaeFormatError, SourceNotFoundError } from '../errors.ts'
import { readSafetensors, writeSafetensors, type SafetensorsFile } from '../formats/safetensors.ts'
import type { FetchOptions, FileSource } from '../sources/types.ts'
import { parseSaeLensConfig, saeConfigToJson, type ParsedSaeLensConfig } from './config.ts'
import { foldInputScale } from './fold.ts'
import { Sae } from './sae.ts'
import type { SaeArrays, SaeConfig } from './types.ts'
import { checkSaeArrays, saeArraysFromTensors, saeArraysToTensors } from './weights.ts'

export const SAE_CFG_FILENAME = 'cfg.json'
export const SAE_WEIGHTS_FILENAME = 'sae_weights.safetensors'
export const SPARSITY_FILENAME = 'sparsity.safetensors'

/** File name → contents: `cfg.json` as text, the safetensors files as bytes. */
export type SaeLensFiles = Record<string, string | Uint8Array>

export interface ReadSaeOptions {
  /**
   * For normalize_activations "expected_average_only_in": the constant SAELens keeps in its pretrained directory
   * (norm_scaling_factor). It is folded into the weights; without it such an SAE cannot run and loading fails.
   */
  normScalingFactor?: number
}

export interface LoadSaeOptions extends ReadSaeOptions, FetchOptions {
  /** Also fetch sparsity.safetensors when present (default true). */
  sparsity?: boolean
}

/** An SAE folder as plain data (no tensors): what a worker reads before making a Sae. */
export interface SaeFolderData {
  config: SaeConfig
  arrays: SaeArrays
  /** log10 feature density per latent, from sparsity.safetensors; null without one. */
  logSparsity: Float32Array | null
  layout: ParsedSaeLensConfig['layout']
}

function readSafetensorsNamed(bytes: Uint8Array, file: string): SafetensorsFile {
  try {
    return readSafetensors(bytes)
  } catch (err) {
    if (err instanceof SafetensorsFormatError) throw new SafetensorsFormatError(`${file}: ${err.message}`)
    throw err
  }
}

function readLogSparsity(bytes: Uint8Array, dSae: number): Float32Array {
  const { tensors } = readSafetensorsNamed(bytes, SPARSITY_FILENAME)
  const entry = tensors.get('sparsity')
  if (!entry) throw new SaeFormatError(`Invalid ${SPARSITY_FILENAME}: it has no "sparsity" tensor (found ${[...tensors.keys()].map((n) => `"${n}"`).join(', ') || 'none'})`)
  if (entry.shape.length !== 1 || entry.shape[0] !== dSae) {
    throw new SaeFormatError(`Invalid ${SPARSITY_FILENAME}: "sparsity" has shape [${entry.shape.join(', ')}] but d_sae is ${dSae}`)
  }
  return entry.data.slice()
}

/** Parses the files of an SAELens folder into plain data. Throws SaeFormatError / SafetensorsFormatError. */
export function readSaeLensFolder(files: { cfg: string | unknown; weights: Uint8Array; sparsity?: Uint8Array | null }, opts: ReadSaeOptions = {}): SaeFolderData {
  const parsed = parseSaeLensConfig(files.cfg)
  const { tensors } = readSafetensorsNamed(files.weights, SAE_WEIGHTS_FILENAME)
  let arrays = saeArraysFromTensors(parsed, tensors)
  let config = parsed.config
  if (opts.normScalingFactor !== undefined) {
    if (config.normalizeActivations !== 'expected_average_only_in') {
      throw new InvalidArgumentError(`normScalingFactor applies to SAEs with normalize_activations "expected_average_only_in"; this one has "${config.normalizeActivations}"`)
    }
    arrays = foldInputScale(arrays, opts.normScalingFactor)
    config = { ...config, normalizeActivations: 'none' }
  }
  const logSparsity = files.sparsity ? readLogSparsity(files.sparsity, config.dSae) : null
  return { config, arrays, logSparsity, layout: parsed.layout }
}

/** Fetches and parses an SAELens folder; errors name the source. */
export async function fetchSaeLensFolder(source: FileSource, opts: LoadSaeOptions = {}): Promise<SaeFolderData> {
  const fetchOpts: FetchOptions = { onProgress: opts.onProgress, signal: opts.signal }
  const cfg = await source.fetchText(SAE_CFG_FILENAME, fetchOpts)
  // Parse the config before downloading weights: a bad cfg.json should not cost a large download.
  try {
    parseSaeLensConfig(cfg)
  } catch (err) {
    throw withSource(err, source)
  }
  const weights = await source.fetchBytes(SAE_WEIGHTS_FILENAME, fetchOpts)
  let sparsity: Uint8Array | null = null
  if (opts.sparsity ?? true) {
    try {
      sparsity = await source.fetchBytes(SPARSITY_FILENAME, fetchOpts)
    } catch (err) {
      if (!(err instanceof SourceNotFoundError)) throw err
    }
  }
  try {
    return readSaeLensFolder({ cfg, weights, sparsity }, opts)
  } catch (err) {
    throw withSource(err, source)
  }
}

function withSource(err: unknown, source: FileSource): unknown {
  if (err instanceof SaeFormatError) return new SaeFormatError(`${source.description}: ${err.message}`)
  if (err instanceof SafetensorsFormatError) return new SafetensorsFormatError(`${source.description}: ${err.message}`)
  return err
}

/** Loads an SAELens folder from a source into a Sae (which the caller disposes). */
export async function loadSaeLens(source: FileSource, opts: LoadSaeOptions = {}): Promise<{ sae: Sae; logSparsity: Float32Array | null; layout: SaeFolderData['layout'] }> {
  const data = await fetchSaeLensFolder(source, opts)
  return { sae: Sae.fromArrays(data.config, data.arrays), logSparsity: data.logSparsity, layout: data.layout }
}

/**
 * The files of an SAELens folder (6.x cfg.json, sae_weights.safetensors, and sparsity.safetensors when
 * `logSparsity` — log10 feature density per latent, as SAELens stores it — is given).
 */
export function saeLensFiles(config: SaeConfig, arrays: SaeArrays, opts: { logSparsity?: Float32Array } = {}): SaeLensFiles {
  checkSaeArrays(config, arrays)
  if (config.normalizeActivations === 'expected_average_only_in') {
    throw new InvalidArgumentError('Fold the input scale into the weights before saving (normalize_activations must not be "expected_average_only_in")')
  }
  const files: SaeLensFiles = {
    [SAE_CFG_FILENAME]: `${JSON.stringify(saeConfigToJson(config), null, 2)}\n`,
    [SAE_WEIGHTS_FILENAME]: writeSafetensors(saeArraysToTensors(config, arrays)),
  }
  if (opts.logSparsity) {
    if (opts.logSparsity.length !== config.dSae) throw new InvalidArgumentError(`logSparsity has ${opts.logSparsity.length} values but d_sae is ${config.dSae}`)
    files[SPARSITY_FILENAME] = writeSafetensors({ sparsity: { shape: [config.dSae], data: opts.logSparsity } })
  }
  return files
}

/** saeLensFiles for a loaded Sae. */
export async function saeToSaeLensFiles(sae: Sae, opts: { logSparsity?: Float32Array } = {}): Promise<SaeLensFiles> {
  return saeLensFiles(sae.config, await sae.toArrays(), opts)
}
