// Keeps credentials out of share links. Sources that carry them are refused, never silently stripped: a stripped
// URL may load nothing, or something else, and the person sharing would not know; refusing says what to change.

/** Query or fragment parameter names that carry credentials (S3/GCS presigned URLs, Azure SAS, OAuth, API keys). */
const SECRET_PARAM = /token|secret|passw(or)?d|^pwd$|credential|signature|^sig$|api[-_]?key|^key$|^auth(orization)?$|^code$|^session|^x-amz-|^x-goog-/i

/** Token formats that are secrets wherever they appear (a prompt included). */
const SECRET_TOKENS: readonly { name: string; pattern: RegExp }[] = [
  { name: 'a Hugging Face token', pattern: /\bhf_[A-Za-z0-9]{30,}/ },
  { name: 'a GitHub token', pattern: /\b(gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{40,})/ },
  { name: 'an OpenAI-style API key', pattern: /\bsk-[A-Za-z0-9_-]{20,}/ },
  { name: 'an AWS access key id', pattern: /\b(AKIA|ASIA)[0-9A-Z]{16}\b/ },
  { name: 'a bearer token', pattern: /\bbearer\s+[A-Za-z0-9._~+/-]{20,}/i },
]

/** Why `text` looks like it holds a secret, or null. */
export function findSecretToken(text: string): string | null {
  for (const { name, pattern } of SECRET_TOKENS) if (pattern.test(text)) return `it contains what looks like ${name}`
  return null
}

/** Why a model or SAE source spec carries credentials, or null. Non-URL specs (hf:…, folders) only get the token scan. */
export function findSourceSecret(spec: string): string | null {
  const token = findSecretToken(spec)
  if (token) return token
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(spec.trim())) return null
  let url: URL
  try {
    url = new URL(spec.trim())
  } catch {
    return null // not parseable as a URL: nothing a browser would send as credentials
  }
  if (url.username !== '' || url.password !== '') return 'its URL has a user name or password (user:pass@host)'
  const hashParams = new URLSearchParams(url.hash.replace(/^#/, ''))
  for (const params of [url.searchParams, hashParams]) {
    for (const name of params.keys()) {
      if (SECRET_PARAM.test(name)) return `its URL has a "${name}" parameter, which carries credentials`
    }
  }
  return null
}
