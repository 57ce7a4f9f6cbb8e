// Hook points: a hook function sees an activation at a named point and may return a replacement.
// Runs inside the forward pass's tf.tidy: tensors a hook makes are freed afterwards unless it tf.keep()s them.
import * as tf from '@tensorflow/tfjs'
import { HookNameError, InvalidArgumentError } from '../errors.ts'
import { allHookNames, type HookName } from './hookNames.ts'

export interface HookContext {
  name: HookName
  /** Absolute position of the activation's first position: > 0 while decoding with a KV cache. */
  positionOffset: number
}

/** Return a tensor of the same shape to replace the activation, or nothing to leave it unchanged. */
export type HookFn = (act: tf.Tensor, ctx: HookContext) => tf.Tensor | void

export type Hooks = Partial<Record<HookName, HookFn | HookFn[]>>

const asList = (entry: HookFn | HookFn[] | undefined): HookFn[] => (entry === undefined ? [] : Array.isArray(entry) ? entry : [entry])

/** Joins hook sets; at a shared point the functions run in argument order. */
export function mergeHooks(...sets: (Hooks | undefined)[]): Hooks {
  const out: Partial<Record<HookName, HookFn[]>> = {}
  for (const set of sets) {
    if (!set) continue
    for (const [name, entry] of Object.entries(set) as [HookName, HookFn | HookFn[] | undefined][]) {
      const fns = asList(entry)
      if (fns.length > 0) out[name] = [...(out[name] ?? []), ...fns]
    }
  }
  return out
}

const knownNames = new Map<number, Set<string>>()

/** Throws HookNameError for any name that is not a hook point of a model with `nLayers` blocks. */
export function validateHookNames(names: Iterable<string>, nLayers: number): void {
  let known = knownNames.get(nLayers)
  if (!known) {
    known = new Set(allHookNames(nLayers))
    knownNames.set(nLayers, known)
  }
  for (const name of names) {
    if (!known.has(name)) {
      throw new HookNameError(`"${name}" is not a hook point of this ${nLayers}-layer model (e.g. blocks.0.hook_resid_post)`)
    }
  }
}

const sameShape = (a: readonly number[], b: readonly number[]): boolean => a.length === b.length && a.every((v, i) => v === b[i])

/** Applies the hooks of one forward pass, checking every replacement. */
export class HookRunner {
  private readonly hooks: Partial<Record<HookName, HookFn[]>> = {}

  constructor(
    hooks: Hooks | undefined,
    nLayers: number,
    readonly positionOffset: number,
  ) {
    if (!hooks) return
    validateHookNames(Object.keys(hooks), nLayers)
    for (const [name, entry] of Object.entries(hooks) as [HookName, HookFn | HookFn[] | undefined][]) {
      const fns = asList(entry)
      for (const fn of fns) {
        if (typeof fn !== 'function') throw new InvalidArgumentError(`The hook at "${name}" is not a function`)
      }
      if (fns.length > 0) this.hooks[name] = fns
    }
  }

  has(name: HookName): boolean {
    return this.hooks[name] !== undefined
  }

  /** Runs every hook at `name` in order; each sees the previous one's output. */
  run(name: HookName, act: tf.Tensor): tf.Tensor {
    const fns = this.hooks[name]
    if (!fns) return act
    let current = act
    for (const fn of fns) {
      const out = fn(current, { name, positionOffset: this.positionOffset })
      if (out === undefined) continue
      if (!(out instanceof tf.Tensor)) throw new InvalidArgumentError(`The hook at "${name}" returned something other than a tensor`)
      if (out.isDisposed) throw new InvalidArgumentError(`The hook at "${name}" returned a disposed tensor`)
      if (!sameShape(out.shape, current.shape)) {
        throw new InvalidArgumentError(`The hook at "${name}" returned shape [${out.shape.join(', ')}]; it must keep [${current.shape.join(', ')}]`)
      }
      if (out.dtype !== 'float32') throw new InvalidArgumentError(`The hook at "${name}" returned dtype ${out.dtype}; it must return float32`)
      current = out
    }
    return current
  }
}
