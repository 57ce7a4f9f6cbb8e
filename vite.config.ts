// Vite builds the app shell and the model worker. Three things here are load-bearing for tfjs-wasm; see each comment.
import react from '@vitejs/plugin-react'
import { defineConfig, minify, type Plugin } from 'vite'

/**
 * Cross-origin isolation (COOP + COEP) turns on SharedArrayBuffer, which threaded tfjs-wasm needs. Set on
 * every response, the worker scripts included. Consequence: anything fetched from another origin (Hub models)
 * must answer CORS, which huggingface.co does. A host serving the built app must send these two headers too.
 */
const crossOriginIsolation = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
}

/**
 * Vite 8's minifier breaks threaded tfjs-wasm: the pthread workers are rebuilt from the wasm factory's own source
 * text (Function.prototype.toString), minification renames the variables that text closes over, and the backend
 * then hangs with no error ("e is not defined" inside a blob worker). So `build.minify` is off, and this plugin
 * minifies every chunk except the ones holding tfjs-backend-wasm. e2e/shell.spec.ts proves the built app
 * reaches the threaded WASM backend; with plain `build.minify: true` it fails.
 */
function minifyExceptTfjsWasm(): Plugin {
  // The emscripten factories; tfjs-backend-wasm's own glue code and its `?url` wasm imports are safe to minify.
  const unsafe = (id: string) => id.includes('/@tensorflow/tfjs-backend-wasm/wasm-out/')
  return {
    name: 'monoscope:minify-except-tfjs-wasm',
    apply: 'build',
    // generateBundle, not renderChunk: Vite's own renderChunk transpile would print the code out again afterwards.
    async generateBundle(_options, bundle) {
      for (const chunk of Object.values(bundle)) {
        if (chunk.type !== 'chunk' || chunk.moduleIds.some(unsafe)) continue
        const result = await minify(chunk.fileName, chunk.code, { module: true, compress: true, mangle: true })
        if (result.errors.length > 0) this.warn(`left ${chunk.fileName} unminified: ${result.errors.map((e) => e.message).join('; ')}`)
        else chunk.code = result.code
      }
    },
  }
}

export default defineConfig({
  // Relative asset URLs: the build works from any path (GitHub Pages, a subfolder, file servers).
  base: './',
  // Not 'spa': a missing model file must be a 404, not index.html with status 200 (which reads as a broken config).
  appType: 'mpa',
  plugins: [react(), minifyExceptTfjsWasm()],
  server: { headers: crossOriginIsolation },
  // The worker's dependencies are found only once it starts, which would make the dev server re-optimise and
  // reload the page in the middle of the first model load; listing them up front avoids that.
  optimizeDeps: {
    include: ['@tensorflow/tfjs', '@tensorflow/tfjs-backend-wasm', '@tensorflow/tfjs-backend-webgpu', '@huggingface/tokenizers', 'zod'],
  },
  preview: { headers: crossOriginIsolation },
  worker: {
    // Module workers: the model worker uses `import`, and code splitting inside workers needs ES output.
    format: 'es',
    // Worker bundles get their own plugin list; the tfjs chunks live here.
    plugins: () => [minifyExceptTfjsWasm()],
  },
  build: {
    minify: false, // see minifyExceptTfjsWasm
    // tfjs is large and loads only inside the worker, on demand; the warning is noise.
    chunkSizeWarningLimit: 4096,
    target: 'es2022',
  },
})
