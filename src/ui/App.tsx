// The app shell: header, errors, the loaders, nav tabs and the routed view (src/ui/router/routes.tsx).
import { ErrorBanner } from './shell/ErrorBanner.tsx'
import { Header } from './shell/Header.tsx'
import { useShortcuts } from './shell/useShortcuts.ts'
import { useUrlSync } from './shell/useUrlSync.ts'
import { ModelLoader } from './loader/ModelLoader.tsx'
import { SaeLoader } from './explorer/loader/SaeLoader.tsx'
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
        <div className="loaders">
          <ModelLoader />
          <SaeLoader />
        </div>
        <NavTabs />
        <RouteView />
      </main>
      <TutorialCoach />
    </div>
  )
}
