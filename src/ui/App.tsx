// The app shell: header, errors, the loaders (one line once loaded), nav tabs and the routed view (src/ui/router/routes.tsx).
import { ErrorBanner } from './shell/ErrorBanner.tsx'
import { Header } from './shell/Header.tsx'
import { useShortcuts } from './shell/useShortcuts.ts'
import { useUrlSync } from './shell/useUrlSync.ts'
import { LoadersBar } from './loader/LoadersBar.tsx'
import { useExplorerBoot } from './explorer/useExplorerBoot.ts'
import { NavTabs, RouteView } from './router/RouteView.tsx'
import { FirstVisitPrompt } from './learn/FirstVisitPrompt.tsx'
import { TutorialCoach } from './learn/TutorialCoach.tsx'

export function App() {
  useShortcuts()
  useUrlSync()
  useExplorerBoot()
  return (
    <div className="app">
      <Header />
      <ErrorBanner />
      <FirstVisitPrompt />
      <main className="panels">
        <LoadersBar />
        <NavTabs />
        <RouteView />
      </main>
      <TutorialCoach />
    </div>
  )
}
