// The endpoint fields of the LLM panel: base URL, model and API key (a password field; kept on this device only when
// the user ticks "remember").
import type { LlmSettings } from './llmSettings.ts'

export function LlmSettingsFields({ value, onChange, disabled }: { value: LlmSettings; onChange: (next: LlmSettings) => void; disabled: boolean }) {
  const set = (patch: Partial<LlmSettings>) => onChange({ ...value, ...patch })
  return (
    <fieldset className="llm-fields" disabled={disabled}>
      <label className="field grow">
        <span>Base URL (OpenAI-compatible)</span>
        <input data-testid="llm.base-url" value={value.baseUrl} onChange={(e) => set({ baseUrl: e.target.value })} spellCheck={false} autoComplete="off" placeholder="http://127.0.0.1:11434/v1" />
      </label>
      <label className="field">
        <span>Model</span>
        <input data-testid="llm.model" value={value.model} onChange={(e) => set({ model: e.target.value })} spellCheck={false} autoComplete="off" placeholder="e.g. llama3.1" />
      </label>
      <label className="field">
        <span>API key (if the server needs one)</span>
        <input data-testid="llm.api-key" type="password" value={value.apiKey} onChange={(e) => set({ apiKey: e.target.value })} spellCheck={false} autoComplete="off" />
      </label>
      <label className="checkbox" title="Otherwise the key is kept in memory until the page closes">
        <input type="checkbox" data-testid="llm.remember" checked={value.remember} onChange={(e) => set({ remember: e.target.checked })} /> remember the key on this device
      </label>
    </fieldset>
  )
}
