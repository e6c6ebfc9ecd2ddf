// Event-loop delay around export moments, from the ticks bench/apps/ticker.js recorded (pure, for the export
// workload and its tests).
import { percentile } from './stats'

/** Before and after the end time of an export: collection, encoding, compression and the write all fall inside. */
export const WINDOW_BEFORE_MS = 200
export const WINDOW_AFTER_MS = 1500

export interface Ticks {
  start: number
  end: number
  times: number[]
  lags: number[]
  maxRssKb: number
}

/** Lag samples with the ticks a stall swallowed put back: a tick L ms late stands for L, L-1, L-2, ... */
export function corrected(lags: number[]): number[] {
  const out: number[] = []
  for (const l of lags) {
    out.push(l)
    for (let x = l - 1; x > 0; x -= 1) out.push(x)
  }
  return out
}

export function delayFigures(t: Ticks, moments: number[]) {
  const inside: number[] = []
  const outside: number[] = []
  for (let i = 0; i < t.times.length; i++) {
    const at = t.times[i]!
    const near = moments.some((m) => at >= m - WINDOW_BEFORE_MS && at <= m + WINDOW_AFTER_MS)
    ;(near ? inside : outside).push(t.lags[i]!)
  }
  const c = corrected(inside)
  return { exportP99Ms: percentile(c, 99), exportMaxMs: inside.length ? Math.max(...inside) : NaN, steadyP99Ms: percentile(corrected(outside), 99), samples: inside.length }
}
