// How train-sae sets up its steps (trainingEngines.ts): the row-shard split and the onnxruntime encoder by shape and
// architecture, and what happens when onnxruntime cannot start (the default falls back to tfjs and says so; asking
// for it fails).
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { selectBackend } from '../../core/backend/backend.ts'
import { parseEncoderChoice, trainingEngines, type TrainingEngines } from './trainingEngines.ts'

beforeAll(async () => {
  await selectBackend(['wasm'])
})
afterEach(() => {
  vi.restoreAllMocks()
})

const broken = () => Promise.reject(new Error('libonnxruntime.so: cannot open shared object file'))

/** The engines for the case, with what was written to stderr meanwhile; disposed after `check`. */
async function withEngines(make: () => Promise<TrainingEngines>, check: (e: TrainingEngines, stderr: string) => void): Promise<void> {
  let stderr = ''
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr += String(chunk)
    return true
  })
  const engines = await make()
  try {
    check(engines, stderr)
  } finally {
    await engines.dispose()
  }
}

describe('trainingEngines', () => {
  it('parses --encoder: absent is auto; onnxruntime and tfjs as given; anything else is refused', () => {
    expect(parseEncoderChoice(undefined)).toBe('auto')
    expect(parseEncoderChoice('onnxruntime')).toBe('onnxruntime')
    expect(parseEncoderChoice('tfjs')).toBe('tfjs')
    expect(() => parseEncoderChoice('ort')).toThrow(/--encoder must be onnxruntime or tfjs, got "ort"/)
  })

  it('splits small SAEs over row shards with a one-thread encoder each, and gives large ones every thread for the encoder', async () => {
    await withEngines(
      () => trainingEngines(2, { architecture: 'topk', dIn: 256, dSae: 4096 }, 'auto', 'test'),
      (e, stderr) => {
        expect(e.pool?.size).toBe(1)
        expect(e.description).toMatch(/^2 threads, the encoder forward on onnxruntime-node \(cpu\), 1 thread each$/)
        expect(stderr).toBe('')
      },
    )
    await withEngines(
      () => trainingEngines(2, { architecture: 'standard', dIn: 768, dSae: 16384 }, 'auto', 'test'),
      (e) => {
        expect(e.pool).toBeNull()
        expect(e.description).toBe('1 thread, the encoder forward on onnxruntime-node (cpu), 2 threads')
      },
    )
  })

  it('keeps the split with tfjs, and Matryoshka (dense, no plan) and BatchTopK (whole-batch selection) off it', async () => {
    await withEngines(
      () => trainingEngines(2, { architecture: 'standard', dIn: 768, dSae: 16384 }, 'tfjs', 'test'),
      (e) => {
        expect(e.encoder).toBeNull()
        expect(e.description).toBe('2 threads')
      },
    )
    await withEngines(
      () => trainingEngines(2, { architecture: 'matryoshka_batchtopk', dIn: 128, dSae: 1024 }, 'auto', 'test'),
      (e, stderr) => {
        expect(e.description).toBe('1 thread')
        expect(stderr).toMatch(/test: matryoshka_batchtopk selects its latents across the whole batch/)
      },
    )
    await withEngines(
      () => trainingEngines(2, { architecture: 'batchtopk', dIn: 128, dSae: 1024 }, 'auto', 'test'),
      (e) => expect(e.description).toBe('1 thread, the encoder forward on onnxruntime-node (cpu), 2 threads'),
    )
  })

  it('falls back to tfjs, saying why, where onnxruntime cannot start; fails when it was asked for', async () => {
    await withEngines(
      () => trainingEngines(2, { architecture: 'topk', dIn: 768, dSae: 16384 }, 'auto', 'train-sae', broken),
      (e, stderr) => {
        expect(e.encoder).toBeNull()
        expect(e.pool?.size, 'the tfjs split, whatever the size').toBe(1)
        expect(stderr).toMatch(/train-sae: onnxruntime could not start \(libonnxruntime\.so: cannot open shared object file\), so the encoder forward runs in tfjs/)
      },
    )
    await expect(trainingEngines(2, { architecture: 'topk', dIn: 128, dSae: 512 }, 'onnxruntime', 'train-sae', broken)).rejects.toThrow(/libonnxruntime/)
  })
})
