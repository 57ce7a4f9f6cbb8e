import { describe, expect, it } from 'vitest'
import { classifyGpu, planAutomatic } from './automatic.ts'

describe('classifyGpu', () => {
  it('names the software adapters headless Chromium reports (captured on this machine)', () => {
    // WebGPU with --enable-unsafe-webgpu and no GPU: adapter.info, device and description empty.
    expect(classifyGpu({ isFallbackAdapter: true, names: ['google', 'swiftshader', '', ''] })).toEqual({ kind: 'software', adapter: 'SwiftShader' })
    // WebGL: the unmasked renderer (WEBGL_debug_renderer_info) and vendor.
    const renderer = 'ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device (Subzero) (0x0000C0DE)), SwiftShader driver)'
    expect(classifyGpu({ names: ['WebKit WebGL', 'WebKit', renderer, 'Google Inc. (Google)'] })).toEqual({ kind: 'software', adapter: 'SwiftShader' })
  })

  it('names the other CPU renderers', () => {
    expect(classifyGpu({ names: ['Mesa', 'llvmpipe (LLVM 15.0.6, 256 bits)'] })).toEqual({ kind: 'software', adapter: 'llvmpipe' })
    expect(classifyGpu({ names: ['mesa', 'lavapipe', '', ''] })).toEqual({ kind: 'software', adapter: 'lavapipe' })
    expect(classifyGpu({ names: ['ANGLE (Microsoft, Microsoft Basic Render Driver Direct3D11 vs_5_0 ps_5_0, D3D11)'] })).toEqual({
      kind: 'software',
      adapter: 'Microsoft Basic Render Driver',
    })
    expect(classifyGpu({ names: ['Google SwiftShader'] })).toEqual({ kind: 'software', adapter: 'SwiftShader' })
    expect(classifyGpu({ names: ['Apple Software Renderer'] })).toEqual({ kind: 'software', adapter: 'software renderer' })
  })

  it('takes isFallbackAdapter alone as software, whatever the names say', () => {
    expect(classifyGpu({ isFallbackAdapter: true, names: ['', '', '', ''] })).toEqual({ kind: 'software', adapter: 'fallback adapter' })
    expect(classifyGpu({ isFallbackAdapter: true, names: ['nvidia', 'ampere'] })).toEqual({ kind: 'software', adapter: 'fallback adapter' })
  })

  it('keeps real GPUs, and adapters that hide their names, as hardware (negative controls)', () => {
    expect(classifyGpu({ isFallbackAdapter: false, names: ['nvidia', 'ampere', '', ''] })).toEqual({ kind: 'hardware' })
    expect(classifyGpu({ isFallbackAdapter: false, names: ['apple', 'metal-3', '', ''] })).toEqual({ kind: 'hardware' })
    expect(classifyGpu({ names: ['ANGLE (NVIDIA, NVIDIA GeForce RTX 3080 Direct3D11 vs_5_0 ps_5_0, D3D11)'] })).toEqual({ kind: 'hardware' })
    expect(classifyGpu({ names: ['ANGLE (Intel, Mesa Intel(R) UHD Graphics 620 (KBL GT2), OpenGL 4.6)'] })).toEqual({ kind: 'hardware' })
    expect(classifyGpu({ names: ['AMD Radeon Pro 5500M OpenGL Engine'] })).toEqual({ kind: 'hardware' })
    expect(classifyGpu({ names: [] })).toEqual({ kind: 'hardware' })
  })
})

describe('planAutomatic', () => {
  const hardware = { kind: 'hardware' } as const
  const swiftShader = { kind: 'software', adapter: 'SwiftShader' } as const

  it('keeps the GPU-first order when the GPUs are hardware or cannot be asked', () => {
    expect(planAutomatic({ webgpu: hardware, webgl: hardware })).toEqual({ order: ['webgpu', 'webgl', 'wasm', 'cpu'], skipped: [] })
    expect(planAutomatic({ webgpu: null, webgl: null })).toEqual({ order: ['webgpu', 'webgl', 'wasm', 'cpu'], skipped: [] })
  })

  it('puts software GPUs after WASM but before plain JS, and says which adapter moved them', () => {
    expect(planAutomatic({ webgpu: swiftShader, webgl: swiftShader })).toEqual({
      order: ['wasm', 'webgpu', 'webgl', 'cpu'],
      skipped: [
        { backend: 'webgpu', adapter: 'SwiftShader' },
        { backend: 'webgl', adapter: 'SwiftShader' },
      ],
    })
    // A hardware WebGL still beats WASM when only WebGPU is emulated.
    expect(planAutomatic({ webgpu: swiftShader, webgl: hardware })).toEqual({
      order: ['webgl', 'wasm', 'webgpu', 'cpu'],
      skipped: [{ backend: 'webgpu', adapter: 'SwiftShader' }],
    })
  })
})
