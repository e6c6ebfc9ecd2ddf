// Small statistics for paired benchmark rounds: medians with their range, and per-round ratios or differences
// against the bare baseline of the same round (the pairing cancels most of the machine's drift).

export interface Summary {
  median: number
  min: number
  max: number
  n: number
}

export function summarize(values: number[]): Summary | undefined {
  const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b)
  if (v.length === 0) return undefined
  const mid = Math.floor(v.length / 2)
  const median = v.length % 2 ? v[mid]! : (v[mid - 1]! + v[mid]!) / 2
  return { median, min: v[0]!, max: v[v.length - 1]!, n: v.length }
}

export function median(values: number[]): number {
  return summarize(values)?.median ?? NaN
}

/** Per-round value / baseline of the same round, for the rounds where both exist. */
export function pairedRatios(values: number[], baseline: number[]): number[] {
  return values.map((v, i) => v / baseline[i]!).filter((r) => Number.isFinite(r))
}

/** Per-round value - baseline of the same round. */
export function pairedDiffs(values: number[], baseline: number[]): number[] {
  return values.map((v, i) => v - baseline[i]!).filter((d) => Number.isFinite(d))
}

/** The p-th percentile (0..100) of unsorted values, nearest-rank. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN
  const v = [...values].sort((a, b) => a - b)
  const rank = Math.min(v.length - 1, Math.max(0, Math.ceil((p / 100) * v.length) - 1))
  return v[rank]!
}

/** Round-robin orders: round r starts at variant r (A B C, B C A, C A B, ...). */
export function rotate<T>(items: readonly T[], r: number): T[] {
  const k = ((r % items.length) + items.length) % items.length
  return [...items.slice(k), ...items.slice(0, k)]
}
