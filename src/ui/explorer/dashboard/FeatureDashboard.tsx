// A feature's page (after Neuronpedia's): header stats and concept match, its explanation (editable), top examples, quantile samples,
// activation histogram, logit effects and neighbours, and its most-correlated MLP neuron where the SAE has that table;
// "Steer" opens the steering playground on it; "Download JSON" saves the page with its explanations.
import type { FeatureSummaryFile } from '../../../core/analysis/featureFolder.ts'
import type { FeatureRecord } from '../../../core/analysis/format.ts'
import { featureId, featureKey } from '../../../core/steering/featureKey.ts'
import { hrefs } from '../../router/hashRoute.ts'
import { bestNeuronOf } from '../../../core/analysis/featureNeuronsFile.ts'
import { formatAct, formatDensity, saeLabel, useCeilings, useNeurons } from '../data.ts'
import { ceilingOf } from '../../../core/analysis/conceptCeilingsFile.ts'
import { ExampleList } from './ExampleList.tsx'
import { Histogram } from './Histogram.tsx'
import { LogitEffects } from './LogitEffects.tsx'
import { Neighbours } from './Neighbours.tsx'
import { ExplanationBlock } from './ExplanationBlock.tsx'
import { DownloadFeatureJson } from './DownloadFeatureJson.tsx'
import { Term } from '../../learn/Term.tsx'
import { matryoshkaLevelOf } from '../../../core/sae/matryoshka.ts'

const formatAuroc = (v: number | null) => (v === null ? 'n/a' : v.toFixed(3))

export function FeatureDashboard({ saeId, page, summary }: { saeId: string; page: FeatureRecord; summary: FeatureSummaryFile }) {
  const vocab = summary.vocab
  const neurons = useNeurons(saeId)
  const neuron = neurons && bestNeuronOf(neurons, page.index)
  const ceilings = useCeilings(saeId)
  const ceiling = ceilings && page.concept ? ceilingOf(ceilings, page.concept.id) : null
  const dead = page.density === 0
  const prev = page.index > 0 ? hrefs.feature(saeId, page.index - 1) : null
  const next = page.index < summary.sae.d_sae - 1 ? hrefs.feature(saeId, page.index + 1) : null
  const level = summary.sae.matryoshka_widths ? matryoshkaLevelOf(page.index, summary.sae.matryoshka_widths) : null
  return (
    <section className="panel dashboard" data-testid="dashboard.panel" data-state="ready" data-sae-id={saeId} data-index={page.index}>
      <header className="dashboard-head">
        <h2 data-testid="dashboard.title">
          Feature {page.index} <span className="muted">of {saeLabel(saeId)}</span>
        </h2>
        <nav className="dashboard-nav">
          {prev && <a href={prev}>‹ {page.index - 1}</a>}
          <a href={hrefs.features(saeId)}>list</a>
          {next && <a href={next}>{page.index + 1} ›</a>}
          <DownloadFeatureJson saeId={saeId} page={page} />
          <a className="button" data-testid="dashboard.steer" href={hrefs.steer(featureKey(featureId(saeId, page.index)))}>
            Steer
          </a>
        </nav>
      </header>
      <dl className="stats">
        <div>
          <dt>
            <Term term="density">Density</Term>
          </dt>
          <dd data-testid="dashboard.density">{dead ? 'dead (never fired)' : `${formatDensity(page.density)} (${page.active_tokens} of ${summary.corpus.tokens} tokens)`}</dd>
        </div>
        {level && (
          <div>
            <dt title="Matryoshka SAEs train nested prefixes of the dictionary to reconstruct on their own: level 1 holds the most general features">Matryoshka level</dt>
            <dd data-testid="dashboard.matryoshka-level">
              {level.level} of {level.levels} (latents {level.start}–{level.end - 1})
            </dd>
          </div>
        )}
        <div>
          <dt>
            <Term term="maxAct">Max activation</Term>
          </dt>
          <dd>{formatAct(page.max_act)}</dd>
        </div>
        <div>
          <dt>
            Concept match (<Term term="auroc">AUROC</Term>)
          </dt>
          <dd data-testid="dashboard.concept" data-concept={page.concept?.name ?? ''}>
            {page.concept ? `${page.concept.name ?? page.concept.id} · AUROC ${page.concept.auroc.toFixed(3)} · F1 ${page.concept.f1.toFixed(2)}` : '—'}
            {ceiling && (
              <span
                className="muted"
                data-testid="dashboard.concept-ceiling"
                title={`What a linear probe reads from the same activations: held out ${formatAuroc(ceiling.held_out)}; fit on two languages and scored on the third, at worst ${formatAuroc(ceiling.transfer_min)}${ceiling.represented ? ' (the model represents the concept across languages)' : ''}`}
              >
                {` · probe ceiling ${formatAuroc(ceiling.held_out)} (across languages ${formatAuroc(ceiling.transfer_min)})`}
              </span>
            )}
          </dd>
        </div>
        {neurons && (
          <div>
            <dt title="Pearson r with every MLP neuron (mlp.hook_post) up to the SAE's hook, on held-out TinyWorld tokens">Most-correlated neuron</dt>
            <dd data-testid="dashboard.neuron" data-r={neuron?.r ?? ''}>
              {neuron ? `blocks.${neuron.layer}.mlp.hook_post #${neuron.neuron} · r ${neuron.r.toFixed(2)}` : 'none (never fired on the sample)'}
            </dd>
          </div>
        )}
      </dl>
      <ExplanationBlock saeId={saeId} page={page} summary={summary} />
      <div className="dashboard-grid">
        <div>
          <h3>Top activations</h3>
          <ExampleList examples={page.top_examples} vocab={vocab} scale={page.max_act} testId="dashboard.top-examples" />
          <h3>Samples across activation levels</h3>
          {page.quantile_examples.length === 0 && <p className="muted">None.</p>}
          {[...page.quantile_examples].reverse().map((q, i) => (
            <div key={i} className="quantile" data-testid="dashboard.quantile">
              <h4>
                {formatAct(q.lo)} – {formatAct(q.hi)} <span className="muted">({q.count} tokens, {(100 * q.fraction).toFixed(1)}%)</span>
              </h4>
              <ExampleList examples={q.examples} vocab={vocab} scale={page.max_act} />
            </div>
          ))}
        </div>
        <div>
          <h3>Activation histogram</h3>
          <Histogram
            edges={page.histogram.edges}
            counts={page.histogram.counts}
            conceptCounts={page.concept ? page.histogram.concept_counts : null}
            conceptName={page.concept ? (page.concept.name ?? `concept ${page.concept.id}`) : undefined}
          />
          <h3>Logit effects</h3>
          <LogitEffects logits={page.logits} vocab={vocab} />
          <h3>Nearest features (decoder cosine)</h3>
          <Neighbours lists={page.neighbours} />
        </div>
      </div>
    </section>
  )
}
