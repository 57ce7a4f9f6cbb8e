// Model weights must be finite and within MODEL_LIMITS.weightMagnitude, for ONNX as for safetensors (weights.ts): a NaN,
// infinity or 3e38 in an initializer loads and runs, and shows up only as NaN logits, far from the file at fault.
import { ModelWeightsError } from '../../errors.ts'
import { implausibleWeightMessage, MODEL_LIMITS } from '../limits.ts'
import type { OnnxGraph } from './onnxProto.ts'

const FLOAT = 1
const FLOAT16 = 10
const DOUBLE = 11
const EXTERNAL = 1

/** float16's exponent bits all set: infinity or NaN. */
const HALF_EXPONENT = 0x7c00

const implausible = (v: number): boolean => !(Math.abs(v) <= MODEL_LIMITS.weightMagnitude)

/** The first non-finite or too large value in little-endian float bytes of `dataType`, as [index, value], or null. */
function firstNonFinite(bytes: Uint8Array, dataType: number): [number, number] | null {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  if (dataType === FLOAT) {
    for (let i = 0; i + 4 <= bytes.length; i += 4) {
      const v = view.getFloat32(i, true)
      if (implausible(v)) return [i / 4, v]
    }
  } else if (dataType === DOUBLE) {
    for (let i = 0; i + 8 <= bytes.length; i += 8) {
      const v = view.getFloat64(i, true)
      if (implausible(v)) return [i / 8, v]
    }
  } else if (dataType === FLOAT16) {
    // float16 tops out at 65,504, under the magnitude ceiling: only infinity and NaN are refused.
    for (let i = 0; i + 2 <= bytes.length; i += 2) {
      const h = view.getUint16(i, true)
      if ((h & HALF_EXPONENT) === HALF_EXPONENT) return [i / 2, h & 0x3ff ? NaN : h & 0x8000 ? -Infinity : Infinity]
    }
  }
  return null
}

/**
 * The operators whose initializer inputs are a model's weights. Only these are checked: an export also keeps the
 * constants of its arithmetic as initializers (a mask's fill value, float32's lowest or -inf, reaching Add or Where),
 * which are meant to be huge.
 */
const WEIGHT_OPS = new Set(['MatMul', 'Gemm', 'Gather', 'LayerNormalization', 'SimplifiedLayerNormalization', 'SkipLayerNormalization', 'SkipSimplifiedLayerNormalization', 'RMSNormalization'])

/**
 * Refuses a float weight initializer (float32, float16, double; one an operator of WEIGHT_OPS reads) holding NaN,
 * ±infinity or a value beyond the ceiling: inline data, and external data where `external` has the file its
 * `location` names (offset and length as the initializer gives them).
 */
export function checkFiniteInitializers(graph: Pick<OnnxGraph, 'initializer' | 'node'>, file: string, external: ReadonlyMap<string, Uint8Array> = new Map()): void {
  const weights = new Set(graph.node.filter((n) => WEIGHT_OPS.has(n.opType ?? '')).flatMap((n) => n.input))
  for (const t of graph.initializer) {
    if (!weights.has(t.name)) continue
    const type = t.dataType ?? 0
    if (type !== FLOAT && type !== FLOAT16 && type !== DOUBLE) continue
    let bad: [number, number] | null = null
    if (t.dataLocation === EXTERNAL) {
      const key = (k: string) => t.externalData?.find((e) => e.key === k)?.value
      const data = external.get(key('location') ?? '')
      if (!data) continue
      const offset = Number(key('offset') ?? 0)
      const length = key('length') === undefined ? data.length - offset : Number(key('length'))
      if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0 || offset + length > data.length) {
        throw new ModelWeightsError(`${file}: initializer "${t.name}" points outside its external data (offset ${key('offset')}, length ${key('length')})`)
      }
      bad = firstNonFinite(data.subarray(offset, offset + length), type)
    } else if (t.rawData && t.rawData.length > 0) bad = firstNonFinite(t.rawData, type)
    else if (t.floatData) {
      const i = t.floatData.findIndex(implausible)
      if (i >= 0) bad = [i, t.floatData[i]!]
    }
    if (bad) throw new ModelWeightsError(`${file}: initializer "${t.name}" ${implausibleWeightMessage(bad)}`)
  }
}
