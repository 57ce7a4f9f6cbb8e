// Where the learner is in the tutorials, kept in this browser (localStorage) so a reload resumes the step: the
// active tutorial and step, what its steps remembered, the tutorials completed, and whether the first-visit
// invitation was answered. UI-only state, so it lives beside the coach rather than in the app store.
import { create } from 'zustand'
import { createJSONStorage, persist } from 'zustand/middleware'

export interface TutorialProgress {
  active: { id: string; step: number; memory: Record<string, number> } | null
  completed: string[]
  introAnswered: boolean
  start(id: string): void
  /** Marks the active step done, keeping what it remembered, and moves on (or completes the tutorial). */
  advance(stepCount: number, remembered?: Record<string, number>): void
  exit(): void
  answerIntro(): void
}

export const useTutorialProgress = create<TutorialProgress>()(
  persist(
    (set) => ({
      active: null,
      completed: [],
      introAnswered: false,
      start: (id) => set({ active: { id, step: 0, memory: {} }, introAnswered: true }),
      advance: (stepCount, remembered) =>
        set((s) => {
          if (!s.active) return {}
          const memory = { ...s.active.memory, ...remembered }
          if (s.active.step + 1 < stepCount) return { active: { ...s.active, step: s.active.step + 1, memory } }
          return { active: null, completed: [...new Set([...s.completed, s.active.id])] }
        }),
      exit: () => set({ active: null }),
      answerIntro: () => set({ introAnswered: true }),
    }),
    // A private or full storage must not break the app: zustand falls back to memory when setItem throws.
    { name: 'monoscope.tutorials', storage: createJSONStorage(() => localStorage), partialize: ({ active, completed, introAnswered }) => ({ active, completed, introAnswered }) },
  ),
)
