// Mistyped variable names: a DD_* variable that names no setting but is one or two edits away from one is most
// likely a typo, and silently ignoring it would leave the user wondering why the setting did nothing.
import * as RUN_VARIABLES from '../run/env-names'
import { SCHEMA } from './schema'

const KNOWN = Object.values(SCHEMA).flatMap((row) => [row.env, ...((row as { aliases?: readonly string[] }).aliases ?? [])])
const INTERNAL = new Set<string>(Object.values(RUN_VARIABLES))

export function distance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0] as number
    prev[0] = i
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j] as number
      prev[j] = Math.min(up + 1, (prev[j - 1] as number) + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1))
      diag = up
    }
  }
  return prev[b.length] as number
}

/** One warning per DD_* variable that looks like a misspelt setting. */
export function typoWarnings(env: NodeJS.ProcessEnv): string[] {
  const out: string[] = []
  for (const name of Object.keys(env)) {
    if (!name.startsWith('DD_') || KNOWN.includes(name) || INTERNAL.has(name)) continue
    const best = KNOWN.map((k) => [k, distance(name, k)] as const).sort((x, y) => x[1] - y[1])[0]
    if (best && best[1] <= 2) out.push(`${name} is not a dd-run setting (did you mean ${best[0]}?)`)
  }
  return out
}
