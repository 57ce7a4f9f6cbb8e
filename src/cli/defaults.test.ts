// The CLI's defaults: the embedded model, and the committed SAEs that feature-neurons and attribute-eval run on when
// --saes is left out, read from the index so that an SAE added there is never left out of their reports.
import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { committedWorldSaeDirs, defaultModelSpec, repoRoot } from './defaults.ts'

describe('CLI defaults', () => {
  it('point at the committed model', () => {
    expect(existsSync(path.join(defaultModelSpec, 'config.json'))).toBe(true)
  })

  it('list every SAE of the index, each a SAELens folder', () => {
    const index = JSON.parse(readFileSync(path.join(repoRoot, 'public/saes/tinyworld/index.json'), 'utf8')) as { saes: { path: string }[] }
    const dirs = committedWorldSaeDirs()
    expect(dirs.map((d) => path.relative(path.join(repoRoot, 'public'), d))).toEqual(index.saes.map((s) => s.path))
    expect(dirs.length).toBeGreaterThanOrEqual(5)
    for (const d of dirs) expect(existsSync(path.join(d, 'cfg.json')), d).toBe(true)
  })
})
