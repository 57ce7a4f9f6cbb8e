// MatMulNBits weights: the dequantizer on a hand-computed example (with and without zero points), the quantizer's
// round trip within half a step, and both against onnxruntime's own MatMulNBits kernel, which also shows the check
// can fail: a reader taking the high nibble first disagrees with the runtime.
import { describe, expect, it } from 'vitest'
import { dequantizeNBits, quantizeNBits, type NBitsWeight } from './matMulNBits.ts'
import { encodeOnnx, type OnnxModel } from './onnxProto.ts'
import { ortRuntime } from './ortRuntime.ts'

/** Codes 0 … 15 along K in one 16-row block: byte j holds codes 2j (low nibble) and 2j + 1 (high). */
const RISING = [0x10, 0x32, 0x54, 0x76, 0x98, 0xba, 0xdc, 0xfe]

describe('dequantizeNBits', () => {
  // K 18, N 2, blocks of 16: two blocks per column, the second holding rows 16 and 17 only.
  const example = (zeroPoints?: Uint8Array): NBitsWeight => ({
    k: 18,
    n: 2,
    bits: 4,
    blockSize: 16,
    packed: Uint8Array.from([
      ...RISING, 0xf3, 0, 0, 0, 0, 0, 0, 0, // column 0: codes 0 … 15; then 3, 15
      0x88, 0x88, 0x88, 0x88, 0x88, 0x88, 0x88, 0x88, 0x21, 0, 0, 0, 0, 0, 0, 0, // column 1: all 8; then 1, 2
    ]),
    scales: Float32Array.from([0.5, -2, 1, 0.25]), // [column, block]
    ...(zeroPoints ? { zeroPoints } : {}),
  })
  const column = (w: Float32Array, c: number) => Array.from({ length: 18 }, (_, k) => w[k * 2 + c])

  it('reads codes low nibble first, one scale per block, default zero point 8', () => {
    const w = dequantizeNBits(example()) // [18, 2]
    expect(column(w, 0)).toEqual([-4, -3.5, -3, -2.5, -2, -1.5, -1, -0.5, 0, 0.5, 1, 1.5, 2, 2.5, 3, 3.5, 10, -14]) // (code − 8) · 0.5; (3 − 8) · −2, (15 − 8) · −2
    expect(column(w, 1)).toEqual([...Array<number>(16).fill(0), -1.75, -1.5]) // (8 − 8) · 1; (1 − 8) · 0.25, (2 − 8) · 0.25
  })

  it('reads packed zero points, one byte per column here, block 0 in the low nibble', () => {
    const w = dequantizeNBits(example(Uint8Array.from([0x5a, 0x18]))) // column 0: zero points 10, 5; column 1: 8, 1
    expect(column(w, 0)).toEqual([-5, -4.5, -4, -3.5, -3, -2.5, -2, -1.5, -1, -0.5, 0, 0.5, 1, 1.5, 2, 2.5, 4, -20])
    expect(column(w, 1)).toEqual([...Array<number>(16).fill(0), 0, 0.25])
  })

  it('rejects sizes that do not fit K, N and the block size', () => {
    expect(() => dequantizeNBits({ ...example(), scales: new Float32Array(3) })).toThrow(/scales hold 3 values/)
    expect(() => dequantizeNBits({ ...example(), packed: new Uint8Array(16) })).toThrow(/B holds 16 bytes/)
    expect(() => dequantizeNBits({ ...example(), zeroPoints: new Uint8Array(1) })).toThrow(/zero points hold 1 bytes/)
    expect(() => dequantizeNBits({ ...example(), blockSize: 24 })).toThrow(/power of two/)
  })
})

/** Deterministic values in [-1, 1). */
function noise(length: number, seed: number): Float32Array {
  let s = seed
  return Float32Array.from({ length }, () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 30) - 1)
}

describe('quantizeNBits', () => {
  it('is symmetric 4-bit: each block within half a step of the weights (a step where code 15 clips), its largest magnitude exact', () => {
    const [k, n] = [40, 6] // 40 rows: the last block of 32 is padded
    const w = noise(k * n, 3)
    const q = quantizeNBits(w, k, n, 32)
    expect(q.packed.length).toBe(n * 2 * 16)
    expect(q.zeroPoints).toBeUndefined()
    const back = dequantizeNBits(q)
    for (let c = 0; c < n; c++) {
      for (let b = 0; b < 2; b++) {
        const step = Math.abs(q.scales[c * 2 + b]!)
        const rows = Array.from({ length: Math.min(k, 32 * (b + 1)) - 32 * b }, (_, j) => (32 * b + j) * n + c)
        const peak = rows.reduce((m, i) => (Math.abs(w[i]!) > Math.abs(m) ? w[i]! : m), 0)
        expect(step).toBeCloseTo(Math.abs(peak) / 8, 6)
        // Codes run −8 … 7 steps from zero point 8, the peak at −8: a value beyond 7.5 steps on the other side clips to 7.
        for (const i of rows) expect(Math.abs(back[i]! - w[i]!)).toBeLessThanOrEqual((Math.abs(w[i]!) > 7.5 * step && Math.sign(w[i]!) !== Math.sign(peak) ? step : step / 2) + 1e-6)
        expect(rows.some((i) => back[i] === Math.fround(peak) || Math.abs(back[i]! - peak) < 1e-6)).toBe(true)
      }
    }
  })
})

/** One MatMulNBits node as a model: Y [m, n] = A [m, k] · W. */
function nBitsModel(q: NBitsWeight): Uint8Array {
  const kBlocks = Math.ceil(q.k / q.blockSize)
  const int = (name: string, i: number) => ({ name, type: 2, i })
  const inputs = ['A', 'B', 'scales', ...(q.zeroPoints ? ['zero_points'] : [])]
  const model: OnnxModel = {
    irVersion: 8,
    opsetImport: [{ domain: '', version: 17 }, { domain: 'com.microsoft', version: 1 }],
    graph: {
      name: 'matmulnbits',
      node: [{ opType: 'MatMulNBits', domain: 'com.microsoft', input: inputs, output: ['Y'], name: 'q4', attribute: [int('K', q.k), int('N', q.n), int('bits', 4), int('block_size', q.blockSize)] }],
      initializer: [
        { name: 'B', dims: [q.n, kBlocks, q.blockSize / 2], dataType: 2, rawData: q.packed },
        { name: 'scales', dims: [q.n * kBlocks], dataType: 1, rawData: new Uint8Array(q.scales.buffer) },
        ...(q.zeroPoints ? [{ name: 'zero_points', dims: [q.zeroPoints.length], dataType: 2, rawData: q.zeroPoints as Uint8Array }] : []),
      ],
      sparseInitializer: [],
      input: [{ name: 'A', type: { tensorType: { elemType: 1, shape: { dim: [{ dimParam: 'm' }, { dimValue: q.k }] } } } }],
      output: [{ name: 'Y' }],
      valueInfo: [],
    },
    functions: [],
    trainingInfo: [],
  }
  return encodeOnnx(model)
}

async function runNBits(q: NBitsWeight, a: Float32Array, m: number): Promise<Float32Array> {
  const { ort } = await ortRuntime()
  const session = await ort.InferenceSession.create(nBitsModel(q), { executionProviders: ['cpu'] })
  try {
    const out = await session.run({ A: new ort.Tensor('float32', a, [m, q.k]) })
    return out.Y!.data as Float32Array
  } finally {
    await session.release()
  }
}

const matmul = (a: Float32Array, w: Float32Array, m: number, k: number, n: number) => {
  const y = new Float32Array(m * n)
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) for (let r = 0; r < k; r++) y[i * n + j]! += a[i * k + r]! * w[r * n + j]!
  return y
}
const maxDiff = (x: Float32Array, y: Float32Array) => x.reduce((d, v, i) => Math.max(d, Math.abs(v - y[i]!)), 0)
const swapNibbles = (bytes: Uint8Array) => bytes.map((b) => ((b & 0x0f) << 4) | (b >> 4))

describe("MatMulNBits against onnxruntime's kernel", () => {
  const [m, k, n] = [3, 72, 10] // 72 rows: blocks of 32 leave a partial third block
  const a = noise(m * k, 11)
  const q = quantizeNBits(noise(k * n, 5), k, n, 32)
  // Zero points as an asymmetric quantizer writes them: 3 blocks per column → 2 bytes, the last high nibble unused.
  const zeroPoints = Uint8Array.from({ length: n * 2 }, (_, i) => (i % 2 === 0 ? ((i * 7 + 3) & 15) | ((i * 5 + 9) & 15) << 4 : (i * 3 + 1) & 15))

  it('symmetric (no zero points): the runtime multiplies by exactly the weights dequantizeNBits reads', async () => {
    const y = await runNBits(q, a, m)
    const want = matmul(a, dequantizeNBits(q), m, k, n)
    expect(maxDiff(y, want)).toBeLessThan(1e-4)
    // Negative control: the same bytes read high nibble first give another matrix, and the runtime says so.
    expect(maxDiff(y, matmul(a, dequantizeNBits({ ...q, packed: swapNibbles(q.packed) }), m, k, n))).toBeGreaterThan(0.1)
  })

  it('with packed zero points', async () => {
    const withZp = { ...q, zeroPoints }
    const y = await runNBits(withZp, a, m)
    expect(maxDiff(y, matmul(a, dequantizeNBits(withZp), m, k, n))).toBeLessThan(1e-4)
    expect(maxDiff(y, matmul(a, dequantizeNBits({ ...withZp, zeroPoints: swapNibbles(zeroPoints) }), m, k, n))).toBeGreaterThan(0.1)
  })
})
