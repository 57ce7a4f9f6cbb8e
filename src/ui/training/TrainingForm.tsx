// The settings of a new run: hook (any per-position hook of the loaded model), architecture, size, λ or k, learning
// rate, steps, batch, corpus (TinyWorld with a seed, or a text file), and optionally an SAE to fine-tune.
import { useEffect, useId, useState, type FormEvent } from 'react'
import { serializeError } from '../../core/errors.ts'
import { defaultTrainingSettings, type TrainingRunSettings } from '../../core/sae/trainingRunSettings.ts'
import { parseMatryoshkaWidths } from '../../core/sae/matryoshka.ts'
import { TRAIN_ARCHITECTURES, usesK as archUsesK, type TrainArchitecture } from '../../core/sae/types.ts'
import type { FineTuneInput } from '../../store/index.ts'
import { useActions, useAppState } from '../appContext.tsx'
import { useIndexSaes } from '../explorer/data.ts'
import { NumberField } from '../prompt/NumberField.tsx'
import { readTextFile } from '../shell/readTextFile.ts'
import { MatryoshkaWidthsField } from './MatryoshkaWidthsField.tsx'

const TEXT_PREFIX = 'index:'

export function TrainingForm() {
  const id = useId()
  const actions = useActions()
  const model = useAppState((s) => s.model.loaded)
  const busy = useAppState((s) => s.training.activeRunId !== null || s.training.starting)
  const indexSaes = useIndexSaes()
  const dIn = model?.summary.dModel ?? 128
  const nCtx = model?.summary.nCtx ?? 256
  const [s, setS] = useState<TrainingRunSettings>(() => defaultTrainingSettings(dIn, nCtx))
  const [name, setName] = useState('')
  const [startFrom, setStartFrom] = useState('new') // 'new' | 'index:<id>' | 'files'
  const [fineTuneFiles, setFineTuneFiles] = useState<File[]>([])
  const [textFile, setTextFile] = useState<{ name: string; lines: string[] } | null>(null)
  const [textError, setTextError] = useState<string | null>(null)
  const [widthsText, setWidthsText] = useState('') // blank: the default levels for d_sae
  // TinyWorld's generator only makes sense for a model with TinyWorld's vocabulary; any other model reads a text.
  const tinyWorld = model?.summary.speaksTinyWorld !== false
  const [corpusKind, setCorpusKind] = useState<'world' | 'text'>(tinyWorld ? 'world' : 'text')
  useEffect(() => setCorpusKind(tinyWorld ? 'world' : 'text'), [tinyWorld])
  useEffect(() => setS((old) => ({ ...defaultTrainingSettings(dIn, nCtx), ...old, contextSize: Math.min(old.contextSize, nCtx) })), [dIn, nCtx])
  const set = (patch: Partial<TrainingRunSettings>) => setS((old) => ({ ...old, ...patch }))
  // Attention patterns are [batch, head, q, k], not one vector per position: an SAE cannot read them.
  const hooks = (model?.hookNames ?? []).filter((h) => !h.endsWith('attn.hook_pattern'))
  const fineTuning = startFrom !== 'new'
  const usesK = archUsesK(s.architecture)
  const matryoshka = s.architecture === 'matryoshka_batchtopk' && !fineTuning
  const widths = parseMatryoshkaWidths(widthsText, s.dSae)

  const submit = (event: FormEvent) => {
    event.preventDefault()
    const corpus = corpusKind === 'text' && textFile ? { kind: 'text' as const, name: textFile.name, lines: textFile.lines } : s.corpus.kind === 'world' ? s.corpus : { kind: 'world' as const, seed: 1 }
    let fineTune: FineTuneInput | null = null
    if (startFrom.startsWith(TEXT_PREFIX)) {
      const entry = indexSaes.find((e) => e.id === startFrom.slice(TEXT_PREFIX.length))
      if (entry) fineTune = { kind: 'path', path: entry.path, label: entry.id }
    } else if (startFrom === 'files') fineTune = { kind: 'files', files: fineTuneFiles.map((f) => ({ name: f.name, data: f })), label: fineTuneFiles.map((f) => f.name).join(', ') }
    const { matryoshkaWidths: _unused, ...rest } = s
    const settings = matryoshka && widths.widths ? { ...rest, corpus, matryoshkaWidths: widths.widths } : { ...rest, corpus }
    void actions.training.start({ name, settings, fineTune })
  }
  const pickText = async (file: File | undefined) => {
    setTextFile(null)
    setTextError(null)
    if (!file) return
    try {
      const lines = (await readTextFile(file)).split('\n').filter((l) => l.trim() !== '')
      setTextFile({ name: file.name, lines })
    } catch (err) {
      setTextError(serializeError(err).message)
    }
  }
  const textMissing = corpusKind === 'text' && (textFile === null || textFile.lines.length === 0)
  const filesMissing = startFrom === 'files' && fineTuneFiles.length === 0

  return (
    <form className="train-form" onSubmit={submit} noValidate aria-label="New training run" data-testid="train.form">
      <div className="toolbar">
        <div className="field">
          <label htmlFor={`${id}-from`}>Start from</label>
          <select id={`${id}-from`} data-testid="train.start-from" value={startFrom} onChange={(e) => setStartFrom(e.target.value)}>
            <option value="new">A new SAE</option>
            {indexSaes.map((e) => (
              <option key={e.id} value={`${TEXT_PREFIX}${e.id}`}>
                Fine-tune {e.id}
              </option>
            ))}
            <option value="files">Fine-tune SAELens files…</option>
          </select>
        </div>
        {startFrom === 'files' && (
          <div className="field">
            <label htmlFor={`${id}-ftfiles`}>SAE zip, or cfg.json + sae_weights.safetensors</label>
            <input id={`${id}-ftfiles`} type="file" multiple accept=".zip,.json,.safetensors" data-testid="train.start-files" onChange={(e) => setFineTuneFiles([...(e.target.files ?? [])])} />
          </div>
        )}
        <div className="field">
          <label htmlFor={`${id}-hook`}>Hook</label>
          <select id={`${id}-hook`} data-testid="train.hook" value={s.hook} disabled={fineTuning} onChange={(e) => set({ hook: e.target.value })}>
            {!hooks.includes(s.hook as (typeof hooks)[number]) && <option value={s.hook}>{s.hook}</option>}
            {hooks.map((h) => (
              <option key={h} value={h}>
                {h}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${id}-arch`}>Architecture</label>
          <select id={`${id}-arch`} data-testid="train.arch" value={s.architecture} disabled={fineTuning} onChange={(e) => set({ architecture: e.target.value as TrainArchitecture })}>
            {TRAIN_ARCHITECTURES.map((a) => (
              <option key={a} value={a}>
                {a}
              </option>
            ))}
          </select>
        </div>
      </div>
      {fineTuning && <p className="hint">Hook, architecture, d_sae and k come from the SAE being fine-tuned; λ is not ramped up again (it is already sparse).</p>}
      <div className="toolbar">
        {!fineTuning && <NumberField label="d_sae" testId="train.d-sae" value={s.dSae} onChange={(v) => set({ dSae: v })} min={1} max={65536} step={64} integer />}
        {usesK && !fineTuning ? (
          <NumberField label="k (latents per input)" testId="train.k" value={s.k} onChange={(v) => set({ k: v })} min={1} max={s.dSae} step={1} integer={s.architecture === 'topk'} />
        ) : (
          !usesK && <NumberField label={s.architecture === 'jumprelu' ? 'λ (L0 penalty)' : 'λ (L1 penalty)'} testId="train.l1" value={s.l1Coefficient} onChange={(v) => set({ l1Coefficient: v })} min={0} step={0.5} />
        )}
        {matryoshka && <MatryoshkaWidthsField dSae={s.dSae} text={widthsText} onText={setWidthsText} />}
        <NumberField label="Learning rate" testId="train.lr" value={s.lr} onChange={(v) => set({ lr: v })} min={1e-7} max={1} step={0.0001} />
        <NumberField label="Steps" testId="train.steps" value={s.steps} onChange={(v) => set({ steps: v })} min={1} max={1_000_000} step={50} integer />
        <NumberField label="Batch (tokens)" testId="train.batch" value={s.batchSize} onChange={(v) => set({ batchSize: v })} min={1} max={16384} step={128} integer />
        <NumberField label="Seed" testId="train.seed" value={s.seed} onChange={(v) => set({ seed: v })} min={0} step={1} integer />
      </div>
      <div className="toolbar">
        <div className="field">
          <label htmlFor={`${id}-corpus`}>Corpus</label>
          <select id={`${id}-corpus`} data-testid="train.corpus" value={corpusKind} onChange={(e) => setCorpusKind(e.target.value as 'world' | 'text')}>
            <option value="world">TinyWorld generator</option>
            <option value="text">Text file (one text per line)</option>
          </select>
        </div>
        {corpusKind === 'world' ? (
          <NumberField label="Data seed" testId="train.data-seed" value={s.corpus.kind === 'world' ? s.corpus.seed : 1} onChange={(v) => set({ corpus: { kind: 'world', seed: v } })} min={0} step={1} integer />
        ) : (
          <div className="field">
            <label htmlFor={`${id}-text`}>Text file</label>
            <input id={`${id}-text`} type="file" accept=".txt,text/plain" data-testid="train.text-file" onChange={(e) => void pickText(e.target.files?.[0])} />
            {textFile && <span className="hint">{textFile.lines.length} lines</span>}
            {textError && (
              <span className="error-inline" role="alert" data-testid="train.text-error">
                {textError}
              </span>
            )}
          </div>
        )}
        <div className="field">
          <label htmlFor={`${id}-name`}>Run name</label>
          <input id={`${id}-name`} data-testid="train.name" value={name} onChange={(e) => setName(e.target.value)} placeholder={`${s.architecture}-${s.dSae}`} spellCheck={false} autoComplete="off" />
        </div>
        <button type="submit" data-testid="train.start" disabled={!model || busy || textMissing || filesMissing || (matryoshka && widths.problem !== null)}>
          Start training
        </button>
      </div>
      {!model && <p className="hint">Load a model first: training reads its activations.</p>}
    </form>
  )
}
