// Refuses to test a missing build, and warns about a stale one: Playwright serves dist/, not the sources.
import { existsSync, readdirSync, statSync } from 'node:fs'
import path from 'node:path'

function newestMtime(dir: string): number {
  let newest = 0
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name)
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : statSync(full).mtimeMs)
  }
  return newest
}

export default function globalSetup(): void {
  const root = path.resolve(import.meta.dirname, '..')
  const built = path.join(root, 'dist/index.html')
  if (!existsSync(built)) throw new Error('No build in dist/: run `npx vite build` (or `npm run test:e2e`) before `npx playwright test`.')
  if (newestMtime(path.join(root, 'src')) > statSync(built).mtimeMs) {
    console.warn('[e2e] src/ changed after the last build: these tests run the older dist/. Run `npx vite build` to test your changes.')
  }
  if (!existsSync(path.join(root, 'dist/models/tinyworld/config.json'))) {
    throw new Error('dist/ has no models/tinyworld: the default model belongs in public/models/tinyworld before building.')
  }
}
