// Choosing the backend from the header: the model reloads on the new backend, the URL records the choice for sharing,
// and generation works there. Automatic passes over a software GPU adapter for WASM, says why, and offers to force it.
import { expect, GENERATE_TIMEOUT, LOAD_TIMEOUT, test } from './fixtures.ts'

test('the backend select reloads the model on the chosen backend', async ({ app, page, backend, expectedBackend }) => {
  await app.open({ backend })
  await app.loader.waitUntilReady()
  await expect(app.shell.backend).toHaveText(expectedBackend)

  await app.shell.backendSelect.selectOption('cpu')
  await expect(app.shell.backend).toHaveText('cpu', { timeout: GENERATE_TIMEOUT })
  await app.loader.waitUntilReady()
  expect(new URL(page.url()).searchParams.get('backend')).toBe('cpu')

  await app.prompt.setSampling({ maxTokens: 3 })
  await app.prompt.generateButton.click()
  expect(['maxTokens', 'eos']).toContain(await app.prompt.waitUntilFinished())
  await expect(app.prompt.outputTokens.first()).toBeVisible()
  await expect(app.shell.error).toHaveCount(0)
})

test('Automatic skips a software WebGPU adapter for WASM, says why, and its button forces WebGPU', async ({ app, page, backend }) => {
  // One project is enough: the test opens the app on Automatic whatever the project forces, and ends on WebGPU.
  test.skip(backend !== 'webgpu', 'runs once, in the webgpu project')
  await app.open({ backend: 'auto' })
  const adapter = await page.evaluate(async () => {
    const info = (await navigator.gpu?.requestAdapter({ powerPreference: 'high-performance' }))?.info
    return info ? { fallback: info.isFallbackAdapter, name: `${info.vendor} ${info.architecture} ${info.description}` } : null
  })
  test.skip(!adapter || (!adapter.fallback && !/swiftshader/i.test(adapter.name)), `this machine's WebGPU adapter is not SwiftShader (${adapter?.name})`)

  await app.loader.waitUntilReady()
  await expect(app.shell.backend).toHaveText('wasm')
  await expect(app.shell.backendSelect).toHaveValue('auto')
  await expect(app.shell.backendNote).toContainText('WASM — skipped WebGPU')
  await expect(app.shell.backendNote).toContainText(/software adapters? \(SwiftShader\)/)
  await expect(app.shell.backendNote).toContainText('slower than WASM here')

  // Forcing WebGPU: recorded in the URL and the select, the model reloads there, the note goes, and it generates.
  await app.shell.forceBackend('webgpu').click()
  await expect(app.shell.backend).toHaveText('webgpu', { timeout: LOAD_TIMEOUT })
  await app.loader.waitUntilReady()
  expect(new URL(page.url()).searchParams.get('backend')).toBe('webgpu')
  await expect(app.shell.backendSelect).toHaveValue('webgpu')
  await expect(app.shell.backendDetail).toContainText(/swiftshader/i)
  await expect(app.shell.backendNote).toHaveCount(0)
  await app.prompt.setSampling({ maxTokens: 3 })
  await app.prompt.generateButton.click()
  expect(['maxTokens', 'eos']).toContain(await app.prompt.waitUntilFinished())
  await expect(app.prompt.outputTokens.first()).toBeVisible()
  await expect(app.shell.error).toHaveCount(0)
})
