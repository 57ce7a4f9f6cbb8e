// The words a newcomer meets in Monoscope's views, each in a sentence or two. One table: the Learn page lists it and
// <Term> shows the same text on hover and focus wherever a metric is named.
export const GLOSSARY = {
  feature: 'One direction the SAE learned in the model\'s activation space. It "fires" (is active) on a token when the activation points along it; ideally it stands for one idea.',
  sae: 'Sparse autoencoder: it rewrites each activation vector as a sum of a few features out of many (1,024 to 4,096 here), so each can be read on its own.',
  density: 'The share of tokens on which a feature fires. 1% means one token in a hundred.',
  maxAct: 'The largest activation the feature reached on the analysed text, times its decoder row\'s norm so features are comparable.',
  auroc: 'How well the feature\'s activation separates tokens of a planted TinyWorld concept from the rest: 0.5 is chance, 1 is perfect. Below about 0.9 the concept is not a good label.',
  l0: 'How many features fire per token on average: the sparsity of the SAE. Lower is sparser.',
  fvu: 'Fraction of variance unexplained: the share of the activations\' variance the SAE fails to reconstruct. 0 is perfect.',
  mse: 'Mean squared error between an activation and its reconstruction.',
  dead: 'Dead features never fired on the recent tokens (training) or on the evaluation sample (the final figure): capacity the SAE does not use.',
  ceRecovered: 'Cross-entropy loss recovered: how much of the model\'s next-token skill survives when its activation is replaced by the SAE\'s reconstruction (100% = all of it).',
  clamp: 'Steering by setting a feature to a fixed value on every position (a multiple of its max activation), whatever it would have been.',
  saeError: 'SAE(x) + error: steering edits the SAE\'s reconstruction and adds back what the SAE missed (x − SAE(x)), so only the clamped feature changes.',
  simulation:
    'Simulation score: a simulator reads only the explanation and predicts the activation on every token of held-out top and random contexts; the score is the correlation with the true activations (1 = perfect, 0 = no better than chance).',
  detection:
    'Detection score: given the explanation, pick which held-out contexts make the feature fire; balanced accuracy (0.5 = guessing, 1 = every context right).',
  attribution: 'How much a feature contributed to the model\'s next token, estimated from the gradient; ablation measures it exactly by removing the feature.',
} as const

export type GlossaryTerm = keyof typeof GLOSSARY

export const GLOSSARY_NAMES: Record<GlossaryTerm, string> = {
  feature: 'Feature',
  sae: 'SAE',
  density: 'Density',
  maxAct: 'Max activation',
  auroc: 'AUROC',
  l0: 'L0',
  fvu: 'FVU',
  mse: 'MSE',
  dead: 'Dead latents',
  ceRecovered: 'CE loss recovered',
  clamp: 'Clamp',
  saeError: 'SAE + error',
  simulation: 'Simulation score',
  detection: 'Detection score',
  attribution: 'Attribution',
}
