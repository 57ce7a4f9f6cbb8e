// Nav tabs and the current view; an unknown hash gets a friendly message with a way back, not a blank page.
import { hrefs } from './hashRoute.ts'
import { HOME_PATH, matchRoute, ROUTES } from './routes.tsx'
import { useHashLocation } from './useRoute.ts'

export function NavTabs() {
  const location = useHashLocation()
  const match = matchRoute(location)
  const active = match ? (match.route.tabPath ?? match.route.path) : null
  return (
    <nav className="nav-tabs" aria-label="Views" data-testid="nav.tabs">
      {ROUTES.filter((r) => r.tab !== null).map((r) => (
        <a key={r.path} href={`#/${r.path}`} className={`nav-tab${active === r.path ? ' active' : ''}`} aria-current={active === r.path ? 'page' : undefined} data-testid={`nav.${r.path}`}>
          {r.tab}
        </a>
      ))}
    </nav>
  )
}

export function RouteView() {
  const location = useHashLocation()
  const match = matchRoute(location)
  if (!match) {
    return (
      <section className="panel" data-testid="route.not-found">
        <h2>Nothing here</h2>
        <p>
          There is no view at <code>{window.location.hash}</code>. Try <a href={hrefs.features()}>the feature list</a> or <a href={`#/${HOME_PATH}`}>the prompt</a>.
        </p>
      </section>
    )
  }
  return <>{match.route.render(match.rest, location.query)}</>
}
