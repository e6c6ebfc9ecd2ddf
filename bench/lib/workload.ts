// The shape every workload shares: variants interleaved in rotating order over several rounds, one record per run,
// and per figure the medians and the ratios (or differences) paired per round against bare node.
import * as fs from 'node:fs'
import * as net from 'node:net'
import * as path from 'node:path'
import { pairedDiffs, pairedRatios, rotate, summarize, type Summary } from './stats'
import { VARIANTS, type ProfileCheck, type VariantName } from './variants'

export interface Target {
  variant: VariantName
  op: '<=' | '>='
  value: number
  /** The wording, shown next to the figure. */
  text: string
}

export interface Figure {
  key: string
  label: string
  unit: string
  digits: number
  /** How a variant is compared with bare node of the same round. */
  compare: 'ratio' | 'diff'
  targets?: Target[]
}

export interface RunRecord {
  round: number
  variant: VariantName
  values: Record<string, number>
  check?: ProfileCheck
  error?: string
  raw?: unknown
}

export interface FigureSummary {
  figure: string
  variant: VariantName
  value?: Summary
  /** Paired against bare of the same round: ratio or difference, per `compare`. */
  vsBare?: Summary
  target?: { text: string; met: boolean }
}

export interface WorkloadResult {
  name: string
  title: string
  settings: Record<string, unknown>
  variants: VariantName[]
  figures: Figure[]
  runs: RunRecord[]
  summaries: FigureSummary[]
  failures: string[]
}

export interface Options {
  quick: boolean
  rounds: number
  /** --rounds was given: workloads with a lower default of their own use it as is. */
  roundsGiven: boolean
  /** Restrict every workload to these variants (bare is always kept). */
  only?: VariantName[]
  tmp: string
  closedPort: number
  /** HTTP: seconds of load before the measured window (--http-warmup); 5 by default. */
  httpWarmupSeconds?: number
}

export function pickVariants(wanted: VariantName[], opts: Options): VariantName[] {
  if (!opts.only) return wanted
  const on24 = opts.only.some((v) => v.endsWith('-24'))
  return wanted.filter((v) => v === 'bare' || (v === 'bare-24' && on24) || opts.only!.includes(v))
}

/** What a variant is paired with: bare node of the same Node version (the *-24 variants run on Node 24). */
export function baselineOf(v: VariantName, variants: readonly VariantName[]): VariantName {
  return v.endsWith('-24') && variants.includes('bare-24') ? 'bare-24' : 'bare'
}

export type RunOne = (variant: VariantName, round: number, dir: string) => Promise<Omit<RunRecord, 'round' | 'variant'>>

/** Runs every variant once per round, in rotating order; a failed run is recorded and the others go on. */
export async function runRounds(name: string, variants: VariantName[], opts: Options, one: RunOne): Promise<{ runs: RunRecord[]; failures: string[] }> {
  const runs: RunRecord[] = []
  const failures: string[] = []
  for (let round = 0; round < opts.rounds; round++) {
    for (const variant of rotate(variants, round)) {
      const dir = path.join(opts.tmp, name, `r${round}-${variant}`)
      fs.mkdirSync(path.join(dir, 'out'), { recursive: true })
      process.stderr.write(`bench ${name}: round ${round + 1}/${opts.rounds} ${variant} ... `)
      try {
        const rec = await one(variant, round, dir)
        runs.push({ round, variant, ...rec })
        if (rec.check && !rec.check.ok) failures.push(`${name} ${variant} round ${round + 1}: ${rec.check.detail}`)
        process.stderr.write(rec.check && !rec.check.ok ? `PROFILE CHECK FAILED: ${rec.check.detail}\n` : 'ok\n')
      } catch (err) {
        const msg = (err as Error).message.split('\n').slice(0, 6).join(' | ')
        runs.push({ round, variant, values: {}, error: msg })
        failures.push(`${name} ${variant} round ${round + 1}: ${msg}`)
        process.stderr.write(`FAILED: ${msg}\n`)
      }
    }
  }
  return { runs, failures }
}

/** Per-round values of one figure for one variant (NaN where the run failed). */
function series(runs: RunRecord[], variant: VariantName, key: string, rounds: number): number[] {
  const out = new Array<number>(rounds).fill(NaN)
  for (const r of runs) if (r.variant === variant && r.values[key] !== undefined) out[r.round] = r.values[key]!
  return out
}

export function summarizeFigures(figures: Figure[], variants: VariantName[], runs: RunRecord[], rounds: number): FigureSummary[] {
  const out: FigureSummary[] = []
  for (const f of figures) {
    for (const v of variants) {
      const base = series(runs, baselineOf(v, variants), f.key, rounds)
      const values = series(runs, v, f.key, rounds)
      const paired = f.compare === 'ratio' ? pairedRatios(values, base) : pairedDiffs(values, base)
      const s: FigureSummary = { figure: f.key, variant: v }
      const value = summarize(values)
      const vsBare = summarize(paired)
      if (value) s.value = value
      if (vsBare && v !== 'bare' && v !== 'bare-24') s.vsBare = vsBare
      const t = f.targets?.find((x) => x.variant === v)
      if (t && vsBare) s.target = { text: t.text, met: t.op === '<=' ? vsBare.median <= t.value : vsBare.median >= t.value }
      out.push(s)
    }
  }
  return out
}

export function finish(name: string, title: string, settings: Record<string, unknown>, variants: VariantName[], figures: Figure[], opts: Options, r: { runs: RunRecord[]; failures: string[] }): WorkloadResult {
  return { name, title, settings, variants, figures, runs: r.runs, summaries: summarizeFigures(figures, variants, r.runs, opts.rounds), failures: r.failures }
}

/** A port on 127.0.0.1 that nothing listens on (bound, then released). */
export function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer()
    s.on('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port
      s.close(() => resolve(port))
    })
  })
}

export function describeVariants(variants: VariantName[]): string {
  return variants.map((v) => `  ${v.padEnd(18)} ${VARIANTS[v].about}`).join('\n')
}
