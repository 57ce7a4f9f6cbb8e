// Entry point: build the store from the URL, start the model worker, render, and load the model.
import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { createAppActions, createAppStore, DEFAULT_MODEL_SOURCE } from './store/index.ts'
import { App } from './ui/App.tsx'
import { AppProvider } from './ui/appContext.tsx'
import { readUrlState } from './ui/urlState.ts'
import { spawnModelWorker } from './workers/client.ts'
import './ui/styles.css'

const url = readUrlState()
const store = createAppStore({ backendPreference: url.backend ?? 'auto', sourceInput: url.model ?? DEFAULT_MODEL_SOURCE, ...(url.dtype ? { onnxVariant: url.dtype } : {}) })
const actions = createAppActions(store, { spawn: spawnModelWorker, pageUrl: window.location.href, ...(url.hub ? { hubEndpoint: url.hub } : {}), ...(url.threads ? { wasmThreads: url.threads } : {}) })
if (url.hubError) store.getState().pushError({ code: 'INVALID_ARGUMENT', message: url.hubError, during: 'url' })

const root = document.getElementById('root')
if (!root) throw new Error('index.html lacks <div id="root">')
createRoot(root).render(
  <StrictMode>
    <AppProvider store={store} actions={actions}>
      <App />
    </AppProvider>
  </StrictMode>,
)

// Start on a model at once: the embedded default works offline, and a shared link names its own.
void actions.loadModel()
