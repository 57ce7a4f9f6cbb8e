// Unit tests run in Node on the tfjs WASM/CPU backends; e2e specs are Playwright's, not Vitest's.
import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'bench/**/*.test.ts', 'fuzz/**/*.test.ts'],
    environment: 'node',
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // 2-core machines: tfjs-wasm is single-threaded in Node, so two workers use both cores.
    maxWorkers: 2,
  },
})
