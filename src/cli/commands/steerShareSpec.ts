// Model and SAE sources in share links are what the browser app loads: folders relative to the app's root
// (public/ here, e.g. models/tinyworld), Hub ids or URLs. These map between those and the CLI's local paths.
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { repoRoot } from '../defaults.ts'

export const publicRoot = path.join(repoRoot, 'public')

const isRemote = (spec: string) => spec.startsWith('hf:') || /^[a-z][a-z0-9+.-]*:\/\//i.test(spec)

/** A CLI spec as a link spec: local folders inside public/ become app-relative; others stay as given (null: unshareable). */
export function shareSpecFor(spec: string): string | null {
  if (isRemote(spec)) return spec
  const relative = path.relative(publicRoot, path.resolve(spec))
  if (relative === '' || relative.startsWith('..') || path.isAbsolute(relative)) return null
  return relative.split(path.sep).join('/')
}

/** A link spec as a CLI spec: app-relative folders are read from public/ when they exist there. */
export function localSpecFor(spec: string): string {
  if (isRemote(spec) || path.isAbsolute(spec)) return spec
  const inPublic = path.join(publicRoot, spec)
  return existsSync(inPublic) ? inPublic : spec
}

/** The SAE's id from the SAE indexes in public/saes/ (monoscope.sae-index), when a listed folder is this one. */
export function saeIdFor(spec: string): string | null {
  return indexEntryFor(spec)?.id ?? null
}

/** The index entry (id, analysis folder) of a local SAE folder listed in public/saes/{model}/index.json. */
export function indexEntryFor(spec: string): { id: string; analysis: string | null } | null {
  const shared = shareSpecFor(spec)
  if (shared === null || isRemote(shared)) return null
  const root = path.join(publicRoot, 'saes')
  if (!existsSync(root)) return null
  for (const entry of readdirSync(root, { withFileTypes: true })) {
    const index = path.join(root, entry.name, 'index.json')
    if (!entry.isDirectory() || !existsSync(index)) continue
    try {
      const parsed = JSON.parse(readFileSync(index, 'utf8')) as { saes?: { id?: unknown; path?: unknown; analysis?: unknown }[] }
      const hit = parsed.saes?.find((s) => s.path === shared)
      if (typeof hit?.id === 'string') return { id: hit.id, analysis: typeof hit.analysis === 'string' ? hit.analysis : null }
    } catch {
      // An index being rewritten by the SAE trainer: the SAE simply has no id in the link.
    }
  }
  return null
}
