// Words for each error code, and the way out where there is one. The message from the worker is shown too,
// as the detail: it names the file, the tensor or the URL that failed.
import type { AppError } from '../../store/index.ts'
import type { WorkerErrorCode } from '../../workers/protocol.ts'

export type Recovery = 'loadDefault' | 'autoBackend' | 'restartWorker'

export interface ErrorText {
  title: string
  hint: string
  recovery: Recovery | null
}

const TEXT: Record<WorkerErrorCode, ErrorText> = {
  SOURCE_NOT_FOUND: {
    title: 'Model files not found',
    hint: 'A model folder needs config.json, model.safetensors and tokenizer.json. Check the path or URL; Hub models look like hf:owner/name.',
    recovery: 'loadDefault',
  },
  SOURCE_NETWORK: {
    title: 'Could not download the model',
    hint: 'Check the connection (Hub models need the internet) and that the server allows cross-origin requests.',
    recovery: 'loadDefault',
  },
  SOURCE_SPEC: {
    title: 'Not a model source',
    hint: 'Use a folder next to this page (models/tinyworld), a URL (https://…/model) or a Hub repo (hf:owner/name[@revision]).',
    recovery: 'loadDefault',
  },
  SAFETENSORS_FORMAT: {
    title: 'The weights file is damaged',
    hint: 'model.safetensors could not be read. Re-download or re-export it.',
    recovery: 'loadDefault',
  },
  MODEL_CONFIG: {
    title: 'Unsupported model',
    hint: 'Monoscope runs GPT-2-architecture models (config.json with model_type "gpt2").',
    recovery: 'loadDefault',
  },
  MODEL_WEIGHTS: {
    title: 'The weights do not match the config',
    hint: 'A tensor is missing or has the wrong shape for config.json.',
    recovery: 'loadDefault',
  },
  TOKENIZER: {
    title: 'Tokenizer problem',
    hint: 'Text prompts need the model’s tokenizer.json.',
    recovery: 'loadDefault',
  },
  SAE_FORMAT: {
    title: 'Not a usable SAE',
    hint: 'SAEs load from a SAELens folder: cfg.json and sae_weights.safetensors, with shapes matching d_in and d_sae.',
    recovery: null,
  },
  TRAINING_DIVERGED: {
    title: 'Training diverged',
    hint: 'The loss became NaN or exploded. Lower the learning rate or the sparsity coefficient and train again.',
    recovery: null,
  },
  SHARE_STATE: {
    title: 'This link cannot be opened',
    hint: 'The shared state is damaged, too large, from a newer version, or carries a credential. Ask for a fresh link.',
    recovery: null,
  },
  ANALYSIS_FORMAT: {
    title: 'Not a usable analysis file',
    hint: 'Feature analyses are monoscope.feature-analysis JSON files (see src/core/analysis/FORMAT.md).',
    recovery: null,
  },
  LLM_ENDPOINT: {
    title: 'The language model endpoint failed',
    hint: 'Check the endpoint URL (an OpenAI-compatible /v1 base), the model name and the API key; the server must allow cross-origin requests.',
    recovery: null,
  },
  LLM_REPLY: { title: 'The language model answered oddly', hint: 'Its reply did not follow the prompt. Try again, or a stronger model.', recovery: null },
  HOOK_NAME: { title: 'Unknown hook point', hint: 'Hook names follow TransformerLens, e.g. blocks.0.hook_resid_post.', recovery: null },
  INVALID_ARGUMENT: { title: 'That request cannot run', hint: 'Adjust the prompt or the settings and try again.', recovery: null },
  BACKEND: {
    title: 'That backend cannot start here',
    hint: 'This browser lacks it (WebGPU needs a recent Chrome, or --enable-unsafe-webgpu). Let Monoscope choose one.',
    recovery: 'autoBackend',
  },
  CANCELLED: { title: 'Cancelled', hint: 'The request was cancelled.', recovery: null },
  WORKER: {
    title: 'The model worker stopped',
    hint: 'The background worker that runs the model failed. Restart it to reload the model.',
    recovery: 'restartWorker',
  },
  UNKNOWN: { title: 'Something went wrong', hint: 'The detail below says what; the browser console has more.', recovery: null },
}

/** SAE loads fail with the same codes as model loads, but the words (and the way out) differ. */
const SAE_TEXT: Partial<Record<WorkerErrorCode, ErrorText>> = {
  SOURCE_NOT_FOUND: { title: 'SAE files not found', hint: 'An SAE folder needs cfg.json and sae_weights.safetensors (SAELens layout). Check the path, URL or subfolder.', recovery: null },
  SOURCE_NETWORK: { title: 'Could not download the SAE', hint: 'Check the connection and that the server allows cross-origin requests.', recovery: null },
  SOURCE_SPEC: { title: 'Not an SAE source', hint: 'Use a folder next to this page, a URL, a Hub repo (hf:owner/name) with a subfolder, or pick the files.', recovery: null },
  SAFETENSORS_FORMAT: { title: 'The SAE weights file is damaged', hint: 'sae_weights.safetensors could not be read (truncated or not safetensors). The SAEs already loaded still work.', recovery: null },
}

export function describeError(error: Pick<AppError, 'code'> & Partial<Pick<AppError, 'during'>>): ErrorText {
  return (error.during === 'sae' ? SAE_TEXT[error.code] : undefined) ?? TEXT[error.code]
}

export const RECOVERY_LABEL: Record<Recovery, string> = {
  loadDefault: 'Load the default model',
  autoBackend: 'Choose a backend automatically',
  restartWorker: 'Restart the worker',
}
