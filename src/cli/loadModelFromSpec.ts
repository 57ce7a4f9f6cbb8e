// One way for every CLI command to get a model: pick the backend, resolve SRC, load with progress.
import { selectBackend } from '../core/backend/backend.ts'
import { resolveSource } from '../core/sources/index.ts'
import { InvalidArgumentError } from '../core/errors.ts'
import { loadModel, type EngineChoice } from '../core/model/load.ts'
import { isOnnxVariant, ONNX_VARIANTS, type OnnxVariant } from '../core/model/onnx/loadOnnx.ts'
import { defaultModelSpec } from './defaults.ts'
import { createDownloadProgress } from './progress.ts'

/**
 * The engine comes from the model's files (a GPT-2 with model.safetensors runs on tfjs, any other decoder from its
 * onnx/ folder on onnxruntime-node); MONOSCOPE_ENGINE=onnx|tfjs forces one and MONOSCOPE_ONNX_VARIANT picks the
 * ONNX file (fp32, fp16, q8, int8, q4), for every command at once.
 */
function engineFromEnv(): { engine?: EngineChoice; onnxVariant?: OnnxVariant } {
  const engine = process.env.MONOSCOPE_ENGINE
  const variant = process.env.MONOSCOPE_ONNX_VARIANT
  if (engine !== undefined && engine !== 'auto' && engine !== 'tfjs' && engine !== 'onnx') throw new InvalidArgumentError(`MONOSCOPE_ENGINE must be auto, tfjs or onnx, got "${engine}"`)
  if (variant !== undefined && !isOnnxVariant(variant)) throw new InvalidArgumentError(`MONOSCOPE_ONNX_VARIANT must be one of ${Object.keys(ONNX_VARIANTS).join(', ')}, got "${variant}"`)
  return { ...(engine ? { engine } : {}), ...(variant ? { onnxVariant: variant } : {}) }
}

export async function loadModelFromSpec(spec: string | undefined, opts: { verbose?: boolean } = {}) {
  const backend = await selectBackend()
  const source = resolveSource(spec ?? defaultModelSpec)
  const loaded = await loadModel(source, { onProgress: createDownloadProgress(opts.verbose), ...engineFromEnv() })
  if (opts.verbose) process.stderr.write(`monoscope: ${source.description} on ${loaded.model.engine.kind === 'onnx' ? loaded.model.engine.executionProvider : `tfjs (${backend})`}\n`)
  return { ...loaded, backend, source }
}
