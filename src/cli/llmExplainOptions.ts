// The LLM side of `monoscope explain`: its flags, and the call that explains features through an OpenAI-compatible
// endpoint. The API key comes from an environment variable, never a flag, so it stays out of shell history and `ps`.
import { createChatClient, type ChatClientConfig } from '../core/autointerp/llm/chatClient.ts'
import { explainFeatures, type ExplainProgress, type FeatureExplanationResult, type LlmFeatureInput } from '../core/autointerp/llm/llmExplainer.ts'
import { InvalidArgumentError } from '../core/errors.ts'
import { parseIntFlag } from './args.ts'
import { openExplanationFileCache } from './explanationFileCache.ts'

/** Spread into parseArgs' `options`. */
export const LLM_FLAG_OPTIONS = {
  endpoint: { type: 'string' },
  'llm-model': { type: 'string' },
  'api-key-env': { type: 'string' },
  concurrency: { type: 'string' },
  cache: { type: 'string' },
} as const

export type LlmFlagValues = Partial<Record<keyof typeof LLM_FLAG_OPTIONS, string>>

export const DEFAULT_API_KEY_ENV = 'OPENAI_API_KEY'

export const llmFlagsUsage = `  --endpoint URL --llm-model NAME [--api-key-env VAR] [--concurrency N] [--cache FILE]
    explain with an OpenAI-compatible chat API (URL is its base, e.g. http://127.0.0.1:8000/v1) and score each
    explanation by simulation and detection. The key is read from $VAR (default ${DEFAULT_API_KEY_ENV}; none is sent
    when it is unset); FILE keeps explanations so a rerun asks only about features not yet explained.`

export interface LlmExplainOptions {
  /** Holds the API key (non-enumerable, so printing or serialising the options does not show it). */
  client: ChatClientConfig
  cacheFile: string | null
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/

/**
 * The LLM options, or null when no LLM flag was given (the offline explainer runs). `env` is process.env outside tests.
 * Messages never repeat --api-key-env's value when it is not a variable name: it may be a pasted key.
 */
export function parseLlmExplainOptions(values: LlmFlagValues, env: Readonly<Record<string, string | undefined>> = process.env): LlmExplainOptions | null {
  const given = (Object.keys(LLM_FLAG_OPTIONS) as (keyof LlmFlagValues)[]).filter((k) => values[k] !== undefined)
  if (given.length === 0) return null
  if (values.endpoint === undefined) throw new InvalidArgumentError(`--${given[0]} needs --endpoint URL (an OpenAI-compatible API base)`)
  const model = values['llm-model']?.trim()
  if (!model) throw new InvalidArgumentError('--endpoint needs --llm-model NAME (the model the endpoint should run)')
  const keyEnv = values['api-key-env'] ?? DEFAULT_API_KEY_ENV
  if (!ENV_NAME.test(keyEnv)) throw new InvalidArgumentError('--api-key-env takes the name of an environment variable holding the key (e.g. OPENAI_API_KEY), not the key itself')
  const apiKey = env[keyEnv] || null
  if (apiKey === null && values['api-key-env'] !== undefined) throw new InvalidArgumentError(`--api-key-env ${keyEnv}: that environment variable is not set`)
  const client: ChatClientConfig = { baseUrl: values.endpoint, model, concurrency: parseIntFlag('concurrency', values.concurrency, 4, 1) }
  Object.defineProperty(client, 'apiKey', { value: apiKey, enumerable: false })
  createChatClient(client) // checks the URL now, so a typo fails before any analysis is loaded
  return { client, cacheFile: values.cache ?? null }
}

/**
 * Explains `features` with the configured endpoint, reading and filling the cache file when there is one. `saeHash`
 * (sha256Hex of the SAE's weights file) keys the cache. Failed features come back with their error; see explainFeatures.
 */
export async function explainWithLlm(
  features: readonly LlmFeatureInput[],
  options: LlmExplainOptions & { saeHash: string },
  onProgress?: (progress: ExplainProgress) => void,
  signal?: AbortSignal,
): Promise<FeatureExplanationResult[]> {
  const client = createChatClient(options.client)
  const store = options.cacheFile ? await openExplanationFileCache(options.cacheFile) : null
  return explainFeatures({ features, client, signal, onProgress, cache: store ? { store, saeHash: options.saeHash } : undefined })
}

/** "explained 3/10 features (~12 s left)" for a progress line on stderr. */
export const llmProgressLine = (p: ExplainProgress): string =>
  `explained ${p.done}/${p.total} features${p.done < p.total ? ` (~${Math.ceil(p.etaSeconds)} s left)` : ''}`
