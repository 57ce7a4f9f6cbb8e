// Block-quantized MatMul weights as onnxruntime's com.microsoft MatMulNBits holds them (transformers.js's
// model_q4.onnx, made by onnxruntime's MatMul4BitsQuantizer): a constant B [K, N] becomes codes of `bits` bits packed
// low bits first along K, one scale (and optionally one zero point) per block of `block_size` rows of one column:
//   B_quantized [N, kBlocks, blockSize·bits/8] uint8, scales [N·kBlocks] float, zero_points [N·⌈kBlocks·bits/8⌉] uint8
//   packed the same way (or [N·kBlocks] float, unpacked), default zero point 2^(bits−1);  W[k, n] = (code − zp) · scale.
// Written by hand: no JS library quantizes or reads this format.
import { ModelWeightsError } from '../../errors.ts'
import { halfToFloat } from './halfFloat.ts'
import { int64, type OnnxGraph, type OnnxNode, type OnnxTensor } from './onnxProto.ts'

export interface NBitsWeight {
  k: number
  n: number
  bits: number
  blockSize: number
  /** [n, kBlocks, blockSize · bits / 8]: column n's codes along K, low bits of each byte first. */
  packed: Uint8Array
  /** [n · kBlocks] */
  scales: Float32Array
  /** Packed uint8 [n · ⌈kBlocks · bits / 8⌉], or unpacked float [n · kBlocks]; absent: 2^(bits − 1). */
  zeroPoints?: Uint8Array | Float32Array
}

export const kBlocksOf = (k: number, blockSize: number): number => Math.ceil(k / blockSize)

/** C's roundf (half away from zero), as onnxruntime's quantizer rounds. */
const roundAway = (x: number): number => Math.sign(x) * Math.round(Math.abs(x))

/**
 * 4-bit symmetric block quantization of w [k, n] (row-major, as a MatMul's B), the way transformers.js's q4 files
 * are made (MatMul4BitsQuantizer with is_symmetric, no zero points): per block, the value of largest magnitude v
 * gives scale = v / −8, so v itself is code 0 and every other value rounds to the nearest of codes 0 … 15 (zero
 * point 8). Rows past k in the last block count as zeros.
 */
export function quantizeNBits(w: Float32Array, k: number, n: number, blockSize = 32): NBitsWeight {
  if (w.length !== k * n) throw new ModelWeightsError(`A [${k}, ${n}] weight needs ${k * n} values, got ${w.length}`)
  const bits = 4
  const kBlocks = kBlocksOf(k, blockSize)
  const blob = (blockSize * bits) / 8
  const packed = new Uint8Array(n * kBlocks * blob)
  const scales = new Float32Array(n * kBlocks)
  for (let col = 0; col < n; col++) {
    for (let b = 0; b < kBlocks; b++) {
      const end = Math.min(k, (b + 1) * blockSize)
      let peak = 0
      for (let r = b * blockSize; r < end; r++) if (Math.abs(w[r * n + col]!) > Math.abs(peak)) peak = w[r * n + col]!
      const scale = Math.fround(peak / -8)
      const inverse = scale === 0 ? 0 : 1 / scale
      scales[col * kBlocks + b] = scale
      const base = (col * kBlocks + b) * blob
      for (let r = b * blockSize; r < end; r++) {
        const code = Math.min(15, Math.max(0, roundAway(w[r * n + col]! * inverse) + 8))
        const j = r - b * blockSize
        packed[base + (j >> 1)]! |= code << ((j & 1) * 4)
      }
      for (let j = end - b * blockSize; j < blockSize; j++) packed[base + (j >> 1)]! |= 8 << ((j & 1) * 4) // padding: zero
    }
  }
  return { k, n, bits, blockSize, packed, scales }
}

/** The float weight [k, n] (row-major) a MatMulNBits multiplies by. */
export function dequantizeNBits(q: NBitsWeight): Float32Array {
  const { k, n, bits, blockSize } = q
  if (![2, 4, 8].includes(bits)) throw new ModelWeightsError(`MatMulNBits with ${bits} bits is not supported (2, 4 or 8)`)
  if (blockSize < 16 || (blockSize & (blockSize - 1)) !== 0) throw new ModelWeightsError(`MatMulNBits block_size ${blockSize} is not a power of two ≥ 16`)
  const kBlocks = kBlocksOf(k, blockSize)
  const blob = (blockSize * bits) / 8
  const mask = (1 << bits) - 1
  const zpBytes = Math.ceil((kBlocks * bits) / 8) // per column, when packed
  const zp = q.zeroPoints
  if (q.packed.length !== n * kBlocks * blob) throw new ModelWeightsError(`MatMulNBits B holds ${q.packed.length} bytes; K ${k}, N ${n}, block ${blockSize}, ${bits} bits need ${n * kBlocks * blob}`)
  if (q.scales.length !== n * kBlocks) throw new ModelWeightsError(`MatMulNBits scales hold ${q.scales.length} values; N ${n} × ${kBlocks} blocks need ${n * kBlocks}`)
  if (zp instanceof Uint8Array && zp.length !== n * zpBytes) throw new ModelWeightsError(`MatMulNBits zero points hold ${zp.length} bytes; N ${n} × ${zpBytes} needed`)
  if (zp instanceof Float32Array && zp.length !== n * kBlocks) throw new ModelWeightsError(`MatMulNBits float zero points hold ${zp.length} values; N ${n} × ${kBlocks} blocks needed`)
  const out = new Float32Array(k * n) // [k, n]
  for (let col = 0; col < n; col++) {
    for (let b = 0; b < kBlocks; b++) {
      const scale = q.scales[col * kBlocks + b]!
      let zero = 1 << (bits - 1)
      if (zp instanceof Uint8Array) zero = (zp[col * zpBytes + ((b * bits) >> 3)]! >> ((b * bits) & 7)) & mask
      else if (zp) zero = zp[col * kBlocks + b]!
      const base = (col * kBlocks + b) * blob
      const end = Math.min(k, (b + 1) * blockSize)
      for (let r = b * blockSize; r < end; r++) {
        const j = r - b * blockSize
        const code = (q.packed[base + ((j * bits) >> 3)]! >> ((j * bits) & 7)) & mask
        out[r * n + col] = (code - zero) * scale
      }
    }
  }
  return out
}

const FLOAT = 1
const UINT8 = 2
const FLOAT16 = 10

/** An initializer's values as float32 (float or float16), or null when it is not stored inline. */
function floats(t: OnnxTensor): Float32Array | null {
  if (!t.rawData) return null
  const bytes = new Uint8Array(t.rawData) // a copy, aligned (a Node Buffer's slice() would be a view into its pool)
  if (t.dataType === FLOAT) return new Float32Array(bytes.buffer, 0, bytes.length >> 2)
  if (t.dataType === FLOAT16) return halfToFloat(new Uint16Array(bytes.buffer, 0, bytes.length >> 1))
  return null
}

/**
 * The weight of a MatMulNBits node read from its initializers and attributes; null when a part is not an inline
 * initializer (computed, or in external data) or has a type this reader does not know.
 */
export function readNBitsWeight(graph: OnnxGraph, node: OnnxNode): NBitsWeight | null {
  const attr = (name: string) => node.attribute?.find((a) => a.name === name)?.i
  const init = (name: string | undefined) => (name ? graph.initializer.find((t) => t.name === name) : undefined)
  const [k, n, blockSize] = [attr('K'), attr('N'), attr('block_size')].map((v) => (v === undefined ? NaN : int64(v)))
  const bits = attr('bits') === undefined ? 4 : int64(attr('bits'))
  const b = init(node.input[1])
  const s = init(node.input[2])
  if (!Number.isInteger(k) || !Number.isInteger(n) || !Number.isInteger(blockSize) || b?.dataType !== UINT8 || !b.rawData || !s) return null
  const scales = floats(s)
  if (!scales) return null
  const q: NBitsWeight = { k: k!, n: n!, bits, blockSize: blockSize!, packed: b.rawData, scales }
  if (node.input[3]) {
    const z = init(node.input[3])
    if (!z?.rawData) return null
    const zeroPoints = z.dataType === UINT8 ? z.rawData : floats(z)
    if (!zeroPoints) return null
    q.zeroPoints = zeroPoints
  }
  return q
}
