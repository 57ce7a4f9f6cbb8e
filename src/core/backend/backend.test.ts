import * as tf from '@tensorflow/tfjs'
import { describe, expect, it } from 'vitest'
import { BackendError, InvalidArgumentError } from '../errors.ts'
import { currentBackend, defaultBackendOrder, lastAutomaticChoice, selectBackend } from './backend.ts'

describe('selectBackend', () => {
  it('uses wasm first in Node and reports it', async () => {
    expect(defaultBackendOrder()).toEqual(['wasm', 'cpu'])
    expect(await selectBackend()).toBe('wasm')
    expect(currentBackend()).toBe('wasm')
    const y = tf.tidy(() => tf.matMul(tf.ones([2, 3]), tf.ones([3, 2])).dataSync())
    expect(Array.from(y)).toEqual([3, 3, 3, 3])
  })

  it('records what Automatic chose, and forgets it once a backend is named', async () => {
    expect(await selectBackend()).toBe('wasm')
    expect(lastAutomaticChoice()).toEqual({ backend: 'wasm', skipped: [] })
    await selectBackend(['wasm'])
    expect(lastAutomaticChoice()).toBeNull()
  })

  it('skips browser-only backends in Node and falls through to the next', async () => {
    expect(await selectBackend(['webgpu', 'webgl', 'cpu'])).toBe('cpu')
    expect(await selectBackend(['wasm'])).toBe('wasm')
  })

  it('names every failure when no backend starts', async () => {
    await expect(selectBackend(['webgpu', 'webgl'])).rejects.toThrow(BackendError)
    await expect(selectBackend(['webgpu', 'webgl'])).rejects.toThrow(/webgpu: .*webgl: /)
    await expect(selectBackend([])).rejects.toThrow(InvalidArgumentError)
    await expect(selectBackend(['tpu' as never])).rejects.toThrow(/Unknown backend/)
  })

  it('has gradients registered (full @tensorflow/tfjs)', async () => {
    await selectBackend(['wasm'])
    const g = tf.tidy(() => tf.grad((x: tf.Tensor) => tf.erf(x).sum())(tf.tensor1d([0])).dataSync())
    expect(g[0]).toBeCloseTo(2 / Math.sqrt(Math.PI), 5)
  })
})
