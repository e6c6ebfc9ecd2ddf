// The one place that builds the pages `dd-run report` and `dd-run diff --html` write: the report of a profile
// directory (every scope and type, the timeline, the labels) and the comparison of two sides (a differential flame
// graph per type and the table of what changed), and where they are written. The commands only parse options and
// print. (The page's own script, run in the browser, is page.ts.)
import * as fs from 'node:fs'
import * as path from 'node:path'
import type { SourceMaps } from '../sourcemap/source-maps'
import { aggregateTypes, type Aggregate } from './aggregate'
import { deltaOf, diffOf } from './diff'
import { location } from './format'
import { PROFILER_FRAME, type ProfilerFrames } from './frame-names'
import { FrameTable } from './frames'
import { renderHtml } from './html'
import type { ProfileEntry } from './load'
import { commandOf, viewOf, type PageData, type PageProcess, type PageScope } from './model'
import { readProcesses } from './processes'
import { Scopes } from './scopes'
import { gridOf } from './timeline'
import { PROFILE_TYPES, TYPE_INFO, type LabelFilter, type ProfileType } from './types'

export interface PageOptions {
  maps?: SourceMaps | undefined
  /** Only the samples carrying this label. */
  label?: LabelFilter | undefined
  profilerFrames?: ProfilerFrames
  /** Locations are shown relative to it. */
  cwd?: string
}

const typesOf = (ids: readonly ProfileType[]): PageData['types'] => ids.map((id) => ({ id, label: TYPE_INFO[id].label, unit: TYPE_INFO[id].unit, sample: TYPE_INFO[id].sample }))

/** The report page of `entries`: the process tree of each run, and every scope's views of every type. */
export async function reportPage(entries: readonly ProfileEntry[], title: string, o: PageOptions = {}): Promise<PageData> {
  const cwd = o.cwd ?? process.cwd()
  const profilerFrames = o.profilerFrames ?? 'group'
  // The profiler's frames are nested under PROFILER_FRAME unless hidden: the page folds or unfolds them.
  const frames = new FrameTable({ profilerFrames: profilerFrames === 'hide' ? 'hide' : 'nest', cwd })
  const from = Math.min(...entries.map((e) => e.start))
  const to = Math.max(...entries.map((e) => e.end))
  // Samples with their own time are binned on one grid over the run, so the processes' bins line up.
  const processes = readProcesses(entries, { frames, maps: o.maps, label: o.label, grid: gridOf(from, to) })
  const runs = new Map<string, PageProcess[]>()
  for (const { proc } of processes) runs.set(proc.runId, [...(runs.get(proc.runId) ?? []), proc])
  const profiler = profilerFrames === 'hide' ? -1 : frames.frames.findIndex((f) => f.name === PROFILER_FRAME && f.file === '')
  // The lanes' frames come after the functions' frames, never merged with them.
  const scopes = new Scopes(processes, runs, frames.frames.map((f) => [f.name, location(f, cwd)]), [], profiler)
  const pageScopes = scopes.all()
  return {
    mode: 'report',
    title,
    generated: new Date().toISOString(),
    from,
    to,
    frames: scopes.frames,
    types: typesOf(PROFILE_TYPES),
    runs: [...runs].map(([runId, list]) => ({ runId, processes: list.sort((a, b) => a.start - b.start), lane: scopes.laneOfRun(runId) })),
    scopes: pageScopes,
    profilerFrames,
    profilerFrame: profiler,
    lanes: scopes.lanes,
    timeline: Object.fromEntries(processes.map((d) => [d.proc.key, d.series])),
    eventsAt: Object.fromEntries(processes.filter((d) => d.marks.length).map((d) => [d.proc.key, d.marks])),
  }
}

/** One side of a comparison: a label and its profiles. */
export interface Side {
  label: string
  entries: ProfileEntry[]
}

/** Two sides aggregated on one frame table, per type. */
export interface Comparison {
  before: Side
  after: Side
  frames: FrameTable
  /** Per type asked for: [before, after]. */
  pairs: Partial<Record<ProfileType, [Aggregate, Aggregate]>>
}

/** Reads both sides once for all `types` (CPU and wall time come from the same files). */
export async function compare(before: Side, after: Side, types: readonly ProfileType[], o: PageOptions = {}): Promise<Comparison> {
  const frames = new FrameTable({ profilerFrames: o.profilerFrames ?? 'group', ...(o.cwd ? { cwd: o.cwd } : {}) })
  const b = await aggregateTypes(before.entries, types, o.maps, frames, o.label)
  const a = await aggregateTypes(after.entries, types, o.maps, frames, o.label)
  return { before, after, frames, pairs: Object.fromEntries(types.map((ty) => [ty, [b[ty], a[ty]]])) }
}

/**
 * The comparison page: the after side's tree, each frame with its change against before, and the functions whose
 * share changed most, for each type both sides have samples of.
 */
export function comparisonPage(c: Comparison): PageData {
  const { before, after, frames } = c
  const views: PageScope['views'] = {}
  const fnIndex = new Map<string, number>()
  frames.frames.forEach((f, i) => fnIndex.set(`${f.name}\0${location(f)}`, i))
  const types = PROFILE_TYPES.filter((ty) => c.pairs[ty])
  for (const type of types) {
    const [b, a] = c.pairs[type] as [Aggregate, Aggregate]
    if (a.tree.value === 0 || b.tree.value === 0) continue
    const view = viewOf(a.tree, deltaOf(a.tree, b.tree))
    view.diff = diffOf(b, a)
      .functions.filter((f) => Math.abs(f.delta) >= 0.05)
      .sort((x, y) => Math.abs(y.delta) - Math.abs(x.delta))
      .slice(0, 100)
      .map((f) => [fnIndex.get(`${f.name}\0${f.location}`) ?? 0, round1(f.beforeShare), round1(f.afterShare)])
    views[type] = view
  }
  const all = [...before.entries, ...after.entries]
  const procs = new Map<string, PageProcess>()
  for (const e of after.entries) {
    const p = procs.get(e.runtimeId)
    if (p) {
      p.start = Math.min(p.start, e.start)
      p.end = Math.max(p.end, e.end)
      for (const k of Object.keys(e.files)) p.profiles[k] = (p.profiles[k] ?? 0) + 1
      continue
    }
    procs.set(e.runtimeId, {
      key: e.runtimeId, runId: e.runId, pid: e.pid, role: e.role, service: e.service, command: commandOf(e.info), start: e.start, end: e.end,
      profiles: Object.fromEntries(Object.keys(e.files).map((k) => [k, 1])),
      ...(e.tags.parent_runtime_id ? { parent: e.tags.parent_runtime_id } : {}),
    })
  }
  const runs = new Map<string, PageProcess[]>()
  for (const p of procs.values()) runs.set(p.runId, [...(runs.get(p.runId) ?? []), p])
  return {
    mode: 'diff',
    title: `dd-run diff: ${before.label} -> ${after.label}`,
    generated: new Date().toISOString(),
    from: Math.min(...all.map((e) => e.start)),
    to: Math.max(...all.map((e) => e.end)),
    frames: frames.frames.map((f) => [f.name, location(f)]),
    types: typesOf(types.filter((t) => views[t])),
    runs: [...runs].map(([runId, processes]) => ({ runId, processes })),
    scopes: [{ id: 'all', label: `After, against before`, views }],
    sides: { before: before.label, after: after.label },
    profilerFrames: frames.profilerFrames === 'show' || frames.profilerFrames === 'hide' ? frames.profilerFrames : 'group',
    profilerFrame: -1,
    lanes: [],
    timeline: {},
    eventsAt: {},
  }
}

const round1 = (x: number): number => Math.round(x * 10) / 10

/** Writes a page as one self-contained HTML file; returns its absolute path and size. */
export function writePage(file: string, data: PageData): { file: string; bytes: number } {
  const out = path.resolve(file)
  const html = renderHtml(data)
  fs.mkdirSync(path.dirname(out), { recursive: true })
  fs.writeFileSync(out, html)
  return { file: out, bytes: Buffer.byteLength(html) }
}
