// The harvest pool's threads load the model themselves: one that cannot says why, and the pool does not start;
// one that can runs passes equal to this thread's (the CLI's byte-identical harvest is in saeCommands.test.ts).
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { selectBackend } from '../../core/backend/backend.ts'
import { loadModel } from '../../core/model/load.ts'
import { windowActivationData } from '../../core/sae/activationStore.ts'
import { resolveSource } from '../../core/sources/index.ts'
import { repoRoot } from '../defaults.ts'
import { WorkerHarvestPool } from './harvestPool.ts'

describe('WorkerHarvestPool', () => {
  it('fails to start with the reason when a thread cannot load the model', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'harvest-pool-'))
    try {
      await expect(WorkerHarvestPool.create(1, { modelSpec: path.join(dir, 'no-model-here'), hook: 'blocks.0.hook_resid_post', skipBos: true })).rejects.toThrow(/A harvest thread could not start: .*no-model-here/)
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
    await expect(WorkerHarvestPool.create(0, { modelSpec: undefined, hook: 'blocks.0.hook_resid_post', skipBos: true })).rejects.toThrow(/at least one thread/)
  })

  it('runs a pass on a thread exactly as this thread does', async () => {
    const modelDir = path.join(repoRoot, 'public/models/tinyworld')
    const pool = await WorkerHarvestPool.create(2, { modelSpec: modelDir, hook: 'blocks.1.hook_resid_post', skipBos: true })
    await selectBackend(['wasm'])
    const { model } = await loadModel(resolveSource(modelDir))
    try {
      const windows = [[0, 5, 6, 7, 8], [0, 9, 10, 11, 12]]
      const [a, b] = await Promise.all([pool.run(windows), pool.run(windows.slice(0, 1))])
      const ref = await windowActivationData(model, 'blocks.1.hook_resid_post', windows, { skipFirst: true })
      expect(Array.from(a)).toEqual(Array.from(ref))
      expect(b.length).toBe(4 * 128)
    } finally {
      model.dispose()
      await pool.dispose()
    }
    await expect(pool.run([[0, 1]])).rejects.toThrow(/disposed/)
  })
})
