// When the training worker starts harvest workers: on WASM, for tfjs models small enough to copy, with more than one
// core; never on WebGPU, for ONNX models, on one core, or for a model over MAX_PARAMETERS (GPT-2 small is 124 M).
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { HookedModel } from '../core/model/hookedModel.ts'
import { approximateParameters, MAX_PARAMETERS, startHarvestWorkers } from './harvestWorkers.ts'

const tinyWorld = { vocabSize: 986, nCtx: 256, dModel: 128, nLayers: 4 }
const gpt2Small = { vocabSize: 50257, nCtx: 1024, dModel: 768, nLayers: 12 }
const model = (config: typeof tinyWorld, kind: 'tfjs' | 'onnx' = 'tfjs') => ({ config, engine: { kind } }) as unknown as HookedModel
const args = (over: object = {}) => ({ source: 'models/tinyworld', hubEndpoint: undefined, backend: 'wasm' as const, model: model(tinyWorld), hook: 'blocks.2.hook_resid_post' as const, skipBos: true, ...over })

afterEach(() => {
  vi.unstubAllGlobals()
})

describe('harvest workers', () => {
  it('counts parameters as GPT-2 does', () => {
    expect(approximateParameters(gpt2Small)).toBeCloseTo(124.3e6, -5)
    expect(approximateParameters(tinyWorld)).toBe((986 + 256) * 128 + 4 * 12 * 128 * 128)
    expect(approximateParameters(tinyWorld)).toBeLessThan(MAX_PARAMETERS)
    expect(approximateParameters(gpt2Small)).toBeGreaterThan(MAX_PARAMETERS)
  })

  it('are not started where they would not help', async () => {
    vi.stubGlobal('navigator', { hardwareConcurrency: 4 })
    let started = 0
    vi.stubGlobal('Worker', function () {
      started++
      throw new Error('no workers in this test')
    })
    expect(await startHarvestWorkers(args({ backend: 'webgpu' }))).toBeNull()
    expect(await startHarvestWorkers(args({ model: model(tinyWorld, 'onnx') }))).toBeNull()
    expect(await startHarvestWorkers(args({ model: model(gpt2Small) }))).toBeNull()
    vi.stubGlobal('navigator', { hardwareConcurrency: 1 })
    expect(await startHarvestWorkers(args())).toBeNull()
    expect(started).toBe(0)
    // Where they would help, it tries (one a core); a worker that cannot start leaves the passes in the training worker.
    vi.stubGlobal('navigator', { hardwareConcurrency: 4 })
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    expect(await startHarvestWorkers(args())).toBeNull()
    expect(started).toBe(4)
    expect(warn).toHaveBeenCalledWith(expect.stringMatching(/harvest workers did not start/), expect.objectContaining({ message: 'no workers in this test' }))
    warn.mockRestore()
  })
})
