// Which execution providers onnxruntime-web gets, and that the runtime is built again when what it depends on changes.
import { afterEach, describe, expect, it } from 'vitest'
import { configureOrt, ortRuntime, webExecutionProviders, type Ort } from './ortRuntime.ts'

describe('webExecutionProviders', () => {
  it('WebGPU (WASM for the rest) only when tfjs runs on WebGPU on a hardware adapter', () => {
    expect(webExecutionProviders('webgpu', { kind: 'hardware' })).toEqual({ providers: ['webgpu', 'wasm'], why: '' })
    expect(webExecutionProviders('webgpu', { kind: 'software', adapter: 'SwiftShader' })).toEqual({ providers: ['wasm'], why: 'the WebGPU adapter is SwiftShader, slower than WASM' })
    expect(webExecutionProviders('webgpu', null).providers).toEqual(['wasm'])
    expect(webExecutionProviders('wasm', { kind: 'hardware' }).providers).toEqual(['wasm'])
    expect(webExecutionProviders('webgl', { kind: 'hardware' }).providers).toEqual(['wasm'])
  })
})

describe('ortRuntime', () => {
  afterEach(() => configureOrt(() => Promise.reject(new Error('unconfigured')), () => 'reset'))

  it('is built once per key: the same backend reuses it, another backend builds it again', async () => {
    let backend = 'wasm'
    let builds = 0
    configureOrt(
      () => {
        builds++
        return Promise.resolve({ ort: {} as Ort, executionProviders: [backend], label: backend })
      },
      () => backend,
    )
    expect((await ortRuntime()).executionProviders).toEqual(['wasm'])
    expect((await ortRuntime()).executionProviders).toEqual(['wasm'])
    expect(builds).toBe(1)
    backend = 'webgpu'
    expect((await ortRuntime()).executionProviders).toEqual(['webgpu'])
    expect(builds).toBe(2)
  })
})
