// The workshop tutorials: each step says what to do and why, points at the control to use (a data-testid), can take
// the learner to the right view, and checks from the app's own state that the learner did it. Plain data and pure
// checks, so a test can walk them and the coach can render them.
import type { AppState } from '../../store/index.ts'
import { trainedSaeId } from '../../workers/trainingProtocol.ts'
import type { HashLocation } from '../router/hashRoute.ts'
import { hrefs } from '../router/hashRoute.ts'

export interface StepContext {
  state: AppState
  location: HashLocation
  /** For facts only the page holds (a link shown in a text field). */
  dom: Pick<Document, 'querySelector'>
  /** What earlier steps remembered (their `remember`), e.g. the feature the learner found. */
  memory: Readonly<Record<string, number>>
}

export interface TutorialStep {
  id: string
  title: string
  /** One or two sentences: what to do, and what it shows. */
  body: string
  /** The control to use, highlighted by the coach: a data-testid. */
  target: string | null
  /** Where "Take me there" goes (a hash), when the step happens on another view. */
  href: string | null
  done(ctx: StepContext): boolean
  /** Facts later steps need, taken when this step is done. */
  remember?(ctx: StepContext): Record<string, number>
}

export interface Tutorial {
  id: string
  title: string
  summary: string
  minutes: number
  steps: TutorialStep[]
}

/** The SAE the tutorials use: the smallest committed one, whose bridge feature the explorer tests also find. */
export const TUTORIAL_SAE = 'tinyworld/blocks.2.hook_resid_post/standard-1024'

const onRoute = (l: HashLocation, head: string) => (l.segments[0] ?? 'generate') === head

/** The dashboard's feature when the route is #/feature/<sae>/<index>. */
function openFeature(l: HashLocation): { saeId: string; index: number } | null {
  if (l.segments[0] !== 'feature' || l.segments.length < 3) return null
  const index = Number(l.segments[l.segments.length - 1])
  return Number.isInteger(index) ? { saeId: l.segments.slice(1, -1).join('/'), index } : null
}

function conceptOf(state: AppState, saeId: string, index: number): string | null {
  const summary = state.explorer.summaries[saeId]
  return summary?.status === 'ready' ? (summary.data.features[index]?.concept?.name ?? null) : null
}

/** A dashboard of a feature whose best planted concept is a bridge. */
const isBridgeFeature = (state: AppState, f: { saeId: string; index: number } | null) => f !== null && /bridge/.test(conceptOf(state, f.saeId, f.index) ?? '')

const finishedRuns = (state: AppState) => Object.values(state.training.runs).filter((r) => r.status === 'finished')

export const TUTORIALS: readonly Tutorial[] = [
  {
    id: 'feature',
    title: 'What is a feature?',
    summary: 'Find the feature that fires on the Golden Arc Bridge, read its dashboard, and watch it fire on your own sentence.',
    minutes: 5,
    steps: [
      {
        id: 'list',
        title: 'Open the feature list',
        body: 'An SAE splits the model\'s 128-number residual vector into 1,024 features, each meant to stand for one idea. The list shows them all, with how often each fires (density).',
        target: 'features.search',
        href: hrefs.features(TUTORIAL_SAE),
        done: ({ location }) => onRoute(location, 'features') && location.segments.length > 1,
      },
      {
        id: 'find',
        title: 'Find the bridge feature',
        body: 'Type "bridge" in the search box, sort by AUROC (how well a feature separates bridge tokens from the rest), and open the first row.',
        target: 'features.search',
        href: null,
        done: ({ state, location }) => isBridgeFeature(state, openFeature(location)),
        remember: ({ location }) => ({ bridge: openFeature(location)?.index ?? -1 }),
      },
      {
        id: 'read',
        title: 'Read its dashboard',
        body: 'The explanation says in words what the feature responds to, and its score says how well those words predict its activations. The top examples below show where it fires hardest. Open one of its neighbours: features with a similar direction.',
        target: 'dashboard.neighbour',
        href: null,
        done: ({ location, memory }) => {
          const f = openFeature(location)
          return f !== null && memory.bridge !== undefined && (f.index !== memory.bridge || f.saeId !== TUTORIAL_SAE)
        },
      },
      {
        id: 'inspect',
        title: 'Watch it fire on a sentence',
        body: 'The inspector runs a sentence through the model and lists the features active on each token (edit it and press Inspect to try your own). Click the "Bridge" token to see every feature active there: is yours among them?',
        target: 'inspect.tokens',
        href: hrefs.inspect(),
        // The inspector runs its sentence by itself on opening: the step waits for the learner to pick a token.
        done: ({ state, location }) => onRoute(location, 'inspect') && state.explorer.inspector.status === 'ready' && state.explorer.inspector.result?.active != null,
      },
    ],
  },
  {
    id: 'steer',
    title: 'Steer the model',
    summary: 'Clamp a feature, compare the steered text with the default, and share the demo by link.',
    minutes: 5,
    steps: [
      {
        id: 'open',
        title: 'Open the steering playground',
        body: 'Steering replaces the model\'s activation x by SAE(x) + error(x) with one feature clamped to a value you choose, so only that feature changes.',
        target: 'steer.run',
        href: '#/steer',
        done: ({ location }) => onRoute(location, 'steer'),
      },
      {
        id: 'preset',
        title: 'Clamp the bridge feature',
        body: 'Click "Bridge, clamped high": it picks the feature measured to write "bridge" and clamps it at 5× its largest activation.',
        target: 'steer.preset-bridge',
        href: null,
        done: ({ state }) => state.steering.features.some((f) => f.amount > 0),
      },
      {
        id: 'run',
        title: 'Run and compare',
        body: 'Press "Generate both". The left column is the model as it is; the right one is steered: the same prompt now talks about the bridge.',
        target: 'steer.run',
        href: null,
        done: ({ state }) => state.steering.run.result !== null && state.steering.run.steered.length > 0,
      },
      {
        id: 'share',
        title: 'Share the demo',
        body: 'Copy link makes a URL that holds the whole demo: whoever opens it gets exactly these two columns.',
        target: 'steer.copy-link',
        href: null,
        done: ({ dom }) => ((dom.querySelector('[data-testid="steer.link"]') as HTMLInputElement | null)?.value ?? '').includes('steer='),
      },
    ],
  },
  {
    id: 'train',
    title: 'Train your own SAE',
    summary: 'Train a small SAE in the browser, watch its curves, then open its features and map.',
    minutes: 10,
    steps: [
      {
        id: 'open',
        title: 'Open the trainer',
        body: 'The trainer harvests residual activations from the model and fits an SAE to them, all in this tab.',
        target: 'train.start',
        href: '#/train',
        done: ({ location }) => onRoute(location, 'train'),
      },
      {
        id: 'start',
        title: 'Start a run',
        body: 'For a quick run, set Steps to 150 and the dictionary size to 256, then press Start.',
        target: 'train.start',
        href: null,
        done: ({ state }) => Object.keys(state.training.runs).length > 0,
      },
      {
        id: 'watch',
        title: 'Watch it learn',
        body: 'Loss and MSE fall as the SAE learns to reconstruct; L0 is how many features fire per token (sparsity); FVU is the share of variance it misses. Wait for the run to finish.',
        target: 'train.charts',
        href: null,
        done: ({ state }) => finishedRuns(state).length > 0,
      },
      {
        id: 'features',
        title: 'Open its features',
        body: 'When a run ends, its dashboards are computed. Open Features on the finished run.',
        target: 'train.run-dashboards',
        href: null,
        done: ({ state, location }) => onRoute(location, 'features') && finishedRuns(state).some((r) => location.segments.slice(1).join('/') === trainedSaeId(r)),
      },
      {
        id: 'map',
        title: 'Open its map',
        body: 'The map places features with similar decoder directions near each other (UMAP). Go back to Train and open Map on the finished run.',
        target: 'train.run-map',
        href: '#/train',
        done: ({ state, location }) => onRoute(location, 'map') && finishedRuns(state).some((r) => location.segments.slice(1).join('/') === trainedSaeId(r)),
      },
    ],
  },
]

export const tutorialById = (id: string): Tutorial | undefined => TUTORIALS.find((t) => t.id === id)
