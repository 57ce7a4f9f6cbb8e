// Parses and validates Hub specs `hf:owner/name[@revision]`, with the Hub's own rules for repo ids.
import { SourceSpecError } from '../errors.ts'

export interface HubRepo {
  /** `owner/name`, or a legacy single name such as `gpt2`. */
  repoId: string
  revision: string
}

export const HUB_PREFIX = 'hf:'
export const DEFAULT_REVISION = 'main'

// huggingface_hub's validate_repo_id: word characters, '-' and '.', at most 96 per part, starting and ending with a
// word character, no '--' or '..'.
const PART = '[A-Za-z0-9_](?:[A-Za-z0-9_.-]{0,94}[A-Za-z0-9_])?'
const REPO_ID = new RegExp(`^(?:${PART}/)?${PART}$`)

export function isValidRepoId(repoId: string): boolean {
  return REPO_ID.test(repoId) && !repoId.includes('--') && !repoId.includes('..')
}

/** Branches, tags, commit hashes and `refs/pr/N`: anything without whitespace, control characters or '..'. */
export function isValidRevision(revision: string): boolean {
  return revision.length > 0 && revision.length <= 255 && !/[\s\x00-\x1f\x7f]/.test(revision) && !revision.includes('..')
}

export function assertHubRepo(repo: HubRepo, spec: string): void {
  if (!isValidRepoId(repo.repoId)) {
    throw new SourceSpecError(
      `"${spec}" has an invalid Hub repo id "${repo.repoId}": expected owner/name made of letters, digits, '-', '_' and '.'`,
    )
  }
  if (!isValidRevision(repo.revision)) throw new SourceSpecError(`"${spec}" has an invalid revision "${repo.revision}"`)
}

/** `hf:owner/name[@revision]` → { repoId, revision }; throws SourceSpecError naming the expected form. */
export function parseHubSpec(spec: string): HubRepo {
  if (!spec.startsWith(HUB_PREFIX)) throw new SourceSpecError(`"${spec}" is not a Hub spec: expected hf:owner/name[@revision]`)
  const body = spec.slice(HUB_PREFIX.length)
  const at = body.indexOf('@')
  const repo = at < 0 ? { repoId: body, revision: DEFAULT_REVISION } : { repoId: body.slice(0, at), revision: body.slice(at + 1) }
  if (repo.repoId === '') throw new SourceSpecError(`"${spec}" names no repository: expected hf:owner/name[@revision]`)
  assertHubRepo(repo, spec)
  return repo
}

export const formatHubSpec = (repo: HubRepo): string => `${HUB_PREFIX}${repo.repoId}@${repo.revision}`
