// Builds small pprof profiles (events, exceptions) from stacks dd-run records itself, with pprof-format (the
// encoder @datadog/pprof uses), so they are encoded, exported and read exactly like the wall and heap profiles.
import { Profile, StringTable } from 'pprof-format'

export interface StackFrame {
  name: string
  file: string
  line: number
}

export type Labels = Record<string, string | number>

export class ProfileBuilder {
  private readonly st = new StringTable()
  private readonly locationIds = new Map<string, number>()
  private readonly functionIds = new Map<string, number>()
  private readonly functions: { id: number; name: number; systemName: number; filename: number }[] = []
  private readonly locations: { id: number; line: { functionId: number; line: number }[] }[] = []
  private readonly samples: { locationId: number[]; value: number[]; label: { key: number; str?: number; num?: number }[] }[] = []

  /** sampleTypes: [type, unit] pairs, e.g. ['event', 'count']. */
  constructor(private readonly sampleTypes: readonly (readonly [string, string])[]) {}

  get size(): number {
    return this.samples.length
  }

  /** stack: leaf first, as pprof wants it. */
  add(stack: readonly StackFrame[], values: readonly number[], labels: Labels): void {
    const label = Object.entries(labels).map(([k, v]) =>
      typeof v === 'number' ? { key: this.st.dedup(k), num: v } : { key: this.st.dedup(k), str: this.st.dedup(v) },
    )
    this.samples.push({ locationId: stack.map((f) => this.location(f)), value: [...values], label })
  }

  build(start: Date, end: Date): Profile {
    const st = this.st
    const [firstType, firstUnit] = this.sampleTypes[0] ?? ['sample', 'count']
    return new Profile({
      sampleType: this.sampleTypes.map(([type, unit]) => ({ type: st.dedup(type), unit: st.dedup(unit) })),
      sample: this.samples,
      location: this.locations,
      function: this.functions,
      stringTable: st,
      timeNanos: start.getTime() * 1e6,
      durationNanos: Math.max(0, end.getTime() - start.getTime()) * 1e6,
      periodType: { type: st.dedup(firstType), unit: st.dedup(firstUnit) },
      period: 1,
    })
  }

  private location(f: StackFrame): number {
    const key = `${f.name}\0${f.file}\0${f.line}`
    let id = this.locationIds.get(key)
    if (id !== undefined) return id
    const fkey = `${f.name}\0${f.file}`
    let fid = this.functionIds.get(fkey)
    if (fid === undefined) {
      fid = this.functions.length + 1
      this.functionIds.set(fkey, fid)
      const name = this.st.dedup(f.name)
      this.functions.push({ id: fid, name, systemName: name, filename: this.st.dedup(f.file) })
    }
    id = this.locations.length + 1
    this.locationIds.set(key, id)
    this.locations.push({ id, line: [{ functionId: fid, line: f.line }] })
    return id
  }
}

/** A synthetic frame (no source): `(gc: scavenge)`, `(event loop blocked)`. */
export function syntheticFrame(name: string): StackFrame {
  return { name, file: '', line: 0 }
}

const FRAME = /^\s*at (?:(?:async )?(.*?) \()?(?:file:\/\/)?(.+?):(\d+):\d+\)?$/

/** The frames of an Error's `stack` text, leaf first; lines that are not frames are skipped. */
export function framesOfStack(stack: string | undefined, max = 64): StackFrame[] {
  const out: StackFrame[] = []
  if (!stack) return out
  for (const line of stack.split('\n')) {
    const m = FRAME.exec(line)
    if (!m) continue
    out.push({ name: (m[1] || '(anonymous)').replace(/ \[as [^\]]*\]$/, ''), file: m[2] ?? '', line: Number(m[3]) })
    if (out.length >= max) break
  }
  return out
}
