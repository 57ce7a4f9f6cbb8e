// Hands the store and the actions to every panel, so components stay free of globals and tests can supply fakes.
import { createContext, useContext, type ReactNode } from 'react'
import { useStore } from 'zustand'
import type { AppActions, AppState, AppStore } from '../store/index.ts'

interface AppContextValue {
  store: AppStore
  actions: AppActions
}

const AppContext = createContext<AppContextValue | null>(null)

export function AppProvider({ store, actions, children }: AppContextValue & { children: ReactNode }) {
  return <AppContext.Provider value={{ store, actions }}>{children}</AppContext.Provider>
}

function useAppContext(): AppContextValue {
  const value = useContext(AppContext)
  if (!value) throw new Error('Monoscope components must be rendered inside <AppProvider>')
  return value
}

/** Subscribes to one piece of state; return stable values (a field, not a new object) to avoid re-renders. */
export function useAppState<T>(selector: (state: AppState) => T): T {
  return useStore(useAppContext().store, selector)
}

export function useActions(): AppActions {
  return useAppContext().actions
}

/** The store itself, for code that must read state outside a render (a tutorial's checks) or subscribe to all of it. */
export function useAppContextStore(): AppStore {
  return useAppContext().store
}
