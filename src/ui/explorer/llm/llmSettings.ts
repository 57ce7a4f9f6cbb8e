// The LLM endpoint settings of this browser: base URL and model are remembered (they are not secret); the API key is
// held in memory for the page's life and written to localStorage only when the user opts in on this device.
// Nothing here reaches the URL, the share state, an export or a log.

export interface LlmSettings {
  baseUrl: string
  model: string
  apiKey: string
  /** The user asked to keep the key on this device. */
  remember: boolean
}

const SETTINGS = 'monoscope.llm.endpoint'
const KEY = 'monoscope.llm.apiKey'
/** Ollama's OpenAI-compatible endpoint on this machine: the most common local server. */
const DEFAULTS: LlmSettings = { baseUrl: 'http://127.0.0.1:11434/v1', model: '', apiKey: '', remember: false }

/** The key typed this session (not remembered): survives leaving the list page, not a reload. */
let sessionKey = ''

function storage(): Storage | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage
  } catch {
    return null // blocked storage (privacy settings) throws on access
  }
}

export function readLlmSettings(): LlmSettings {
  const s = storage()
  let saved: Partial<LlmSettings> = {}
  try {
    saved = JSON.parse(s?.getItem(SETTINGS) ?? '{}') as Partial<LlmSettings>
  } catch {
    // a damaged entry: defaults
  }
  const rememberedKey = s?.getItem(KEY) ?? null
  return {
    baseUrl: typeof saved.baseUrl === 'string' ? saved.baseUrl : DEFAULTS.baseUrl,
    model: typeof saved.model === 'string' ? saved.model : DEFAULTS.model,
    apiKey: rememberedKey ?? sessionKey,
    remember: rememberedKey !== null,
  }
}

export function writeLlmSettings(settings: LlmSettings): void {
  sessionKey = settings.apiKey
  const s = storage()
  if (!s) return
  try {
    s.setItem(SETTINGS, JSON.stringify({ baseUrl: settings.baseUrl, model: settings.model }))
    if (settings.remember && settings.apiKey) s.setItem(KEY, settings.apiKey)
    else s.removeItem(KEY)
  } catch {
    // storage full or blocked: the settings last this session
  }
}
