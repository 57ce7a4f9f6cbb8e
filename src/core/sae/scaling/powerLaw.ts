// Power laws y = a·x^b fitted by least squares on log y against log x, the way scaling-law papers fit their
// frontiers (a straight line on log-log axes). Hand-written: it is three sums, and no library in the tree fits one.
import { InvalidArgumentError } from '../../errors.ts'

export interface PowerLawFit {
  /** a of y = a·x^b. */
  coefficient: number
  /** b of y = a·x^b. */
  exponent: number
  /** R² of the line in log-log space (1: every point on it). */
  r2: number
  /** Points fitted. */
  points: number
}

/** Fits y = a·x^b to points with x > 0 and y > 0 (two or more distinct x). */
export function fitPowerLaw(xs: readonly number[], ys: readonly number[]): PowerLawFit {
  if (xs.length !== ys.length) throw new InvalidArgumentError(`fitPowerLaw: ${xs.length} x values but ${ys.length} y values`)
  xs.forEach((x, i) => {
    if (!(x > 0 && Number.isFinite(x)) || !(ys[i]! > 0 && Number.isFinite(ys[i]!))) {
      throw new InvalidArgumentError(`fitPowerLaw: point ${i} is (${x}, ${ys[i]}); a power law needs positive finite x and y`)
    }
  })
  const lx = xs.map(Math.log)
  const ly = ys.map(Math.log)
  const n = xs.length
  const mx = lx.reduce((s, v) => s + v, 0) / n
  const my = ly.reduce((s, v) => s + v, 0) / n
  let sxx = 0
  let sxy = 0
  let syy = 0
  for (let i = 0; i < n; i++) {
    sxx += (lx[i]! - mx) ** 2
    sxy += (lx[i]! - mx) * (ly[i]! - my)
    syy += (ly[i]! - my) ** 2
  }
  if (n < 2 || sxx === 0) throw new InvalidArgumentError('fitPowerLaw needs at least two distinct x values')
  const exponent = sxy / sxx
  const intercept = my - exponent * mx
  const residual = syy - exponent * sxy
  return { coefficient: Math.exp(intercept), exponent, r2: syy === 0 ? 1 : 1 - residual / syy, points: n }
}

export function powerLawAt(fit: Pick<PowerLawFit, 'coefficient' | 'exponent'>, x: number): number {
  return fit.coefficient * x ** fit.exponent
}
