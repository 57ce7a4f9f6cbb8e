// training_settings.json in an exported zip: the run's settings as Monoscope ran them, and the same run in SAELens's
// LanguageModelSAERunnerConfig names, so it can be repeated at scale on GPUs.
import { defaultMatryoshkaWidths } from '../core/sae/matryoshka.ts'
import { usesK } from '../core/sae/types.ts'
import type { RunRecord } from './trainingDb.ts'

export function trainingSettingsJson(run: RunRecord): Record<string, unknown> {
  const s = run.settings
  const tokens = s.steps * s.batchSize
  const kArch = usesK(s.architecture)
  const fresh = run.fineTunedFrom === null
  return {
    format: 'monoscope.sae-training-settings',
    version: 1,
    name: run.name,
    model: run.modelSource,
    backend: run.backend,
    fine_tuned_from: run.fineTunedFrom,
    settings: s.corpus.kind === 'text' ? { ...s, corpus: { kind: 'text', name: s.corpus.name, lines: s.corpus.lines.length } } : s,
    final: run.final,
    // SAELens 6.x runner config: the Monoscope recipe (Anthropic's April 2024 update) in its names.
    saelens_runner_config: {
      model_name: run.modelSource.replace(/\/+$/, '').split('/').pop(),
      hook_name: s.hook,
      architecture: s.architecture,
      d_sae: s.dSae,
      ...(kArch ? { k: s.k } : { l1_coefficient: s.l1Coefficient }),
      ...(s.architecture === 'matryoshka_batchtopk' ? { matryoshka_widths: s.matryoshkaWidths ?? defaultMatryoshkaWidths(s.dSae) } : {}),
      lr: s.lr,
      adam_beta1: 0.9,
      adam_beta2: 0.999,
      lr_warm_up_steps: 0,
      lr_decay_steps: Math.floor(0.2 * s.steps), // linear decay to 0 over the last 20%
      l1_warm_up_steps: fresh ? Math.floor(0.05 * s.steps) : 0, // λ ramps over the first 5% (fine-tunes: no ramp)
      training_tokens: tokens,
      train_batch_size_tokens: s.batchSize,
      context_size: s.contextSize,
      prepend_bos: true,
      normalize_activations: 'expected_average_only_in',
      apply_b_dec_to_input: true,
      decoder_init_norm: 0.1,
      seed: s.seed,
      dataset_path: s.corpus.kind === 'world' ? `tinyworld:seed=${s.corpus.seed}` : s.corpus.name,
    },
  }
}
