// Reads a decoder in the transformers.js / Optimum layout (`onnx/model.onnx` and its variants, with any external
// `.onnx_data` files) from any FileSource and builds the ONNX engine on it.
import { ModelWeightsError } from '../../errors.ts'
import type { FetchOptions, FileSource } from '../../sources/index.ts'
import { parseDecoderConfig } from './decoderConfig.ts'
import { OnnxEngine } from './onnxEngine.ts'
import { checkFiniteInitializers } from './finiteInitializers.ts'
import { decodeOnnx } from './onnxProto.ts'
import { ortRuntime } from './ortRuntime.ts'
import { describeValue } from '../../formats/safeJson.ts'

/** transformers.js's dtype names and the files they pick. */
export const ONNX_VARIANTS = {
  fp32: 'onnx/model.onnx',
  fp16: 'onnx/model_fp16.onnx',
  q8: 'onnx/model_quantized.onnx',
  int8: 'onnx/model_int8.onnx',
  q4: 'onnx/model_q4.onnx',
} as const
export type OnnxVariant = keyof typeof ONNX_VARIANTS

export const isOnnxVariant = (v: string): v is OnnxVariant => Object.hasOwn(ONNX_VARIANTS, v)

const EXTERNAL = 1

export async function loadOnnxModel(source: FileSource, configJson: unknown, variant: OnnxVariant, opts: FetchOptions = {}): Promise<OnnxEngine> {
  const config = parseDecoderConfig(configJson)
  const file = ONNX_VARIANTS[variant]
  const bytes = await source.fetchBytes(file, opts)
  const model = decodeOnnx(bytes, file)
  // External data: every location an initializer names, fetched beside the .onnx file, with paths checked.
  const locations = new Set<string>()
  for (const t of model.graph.initializer) {
    if (t.dataLocation !== EXTERNAL) continue
    const location = t.externalData?.find((e) => e.key === 'location')?.value
    if (!location || location.includes('..') || location.startsWith('/')) throw new ModelWeightsError(`${file}: initializer "${t.name}" names external data at ${describeValue(location)}`)
    locations.add(location)
  }
  const externalData = await Promise.all([...locations].map(async (path) => ({ path, data: await source.fetchBytes(`onnx/${path}`, opts) })))
  checkFiniteInitializers(model.graph, file, new Map(externalData.map((e) => [e.path, e.data])))
  const runtime = await ortRuntime()
  return new OnnxEngine({ runtime, config, model, weightsFile: file, configJson: configJson as Record<string, unknown>, ...(externalData.length > 0 ? { externalData } : {}) })
}
