// Lint: typescript-eslint's recommended rules plus the one-way import rule core ← workers ← store ← ui.
import tseslint from 'typescript-eslint'

const forbid = (...groups) => ({
  'no-restricted-imports': ['error', { patterns: groups.map(({ group, message }) => ({ group, message })) }],
})

const noUi = { group: ['**/ui/**', 'react', 'react-dom', 'react-dom/*'], message: 'core, workers and store never import React or the UI.' }
const noStore = { group: ['**/store/**', 'zustand', 'zustand/*'], message: 'Imports run one way: core ← workers ← store ← ui.' }
const noWorkers = { group: ['**/workers/**'], message: 'Imports run one way: core ← workers ← store ← ui.' }
const noTensors = { group: ['@tensorflow/*'], message: 'The main thread never holds tensors: talk to a worker.' }

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'playwright-report/**', 'test-results/**', 'public/**', '.cache/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  { files: ['src/core/**'], rules: forbid(noUi, noStore, noWorkers) },
  { files: ['src/workers/**'], rules: forbid(noUi, noStore) },
  { files: ['src/store/**'], rules: forbid(noUi, noTensors) },
  { files: ['src/ui/**', 'src/main.tsx'], rules: forbid(noTensors) },
)
