// The app shell: header, errors, and the panels. Later panels (features, map, steer, train) join the grid.
import { ErrorBanner } from './shell/ErrorBanner.tsx'
import { Header } from './shell/Header.tsx'
import { useShortcuts } from './shell/useShortcuts.ts'
import { useUrlSync } from './shell/useUrlSync.ts'
import { ModelLoader } from './loader/ModelLoader.tsx'
import { PromptPanel } from './prompt/PromptPanel.tsx'

export function App() {
  useShortcuts()
  useUrlSync()
  return (
    <div className="app">
      <Header />
      <ErrorBanner />
      <main className="panels">
        <ModelLoader />
        <PromptPanel />
      </main>
    </div>
  )
}
