// Maps generated locations (compiled TypeScript, bundles, transformed code) back to their original source, for the
// profile serialiser of @datadog/pprof in the profiled process (its `sourceMapper`) and for dd-run top/report/diff.
// Lazy: a script's map is looked up the first time one of its frames is serialised, never at start. Cached, with
// bounded memory: at most MAX_SCRIPTS scripts remembered and MAX_BYTES of maps dd-run parsed itself, the least
// recently used dropped first (maps Node already holds cost nothing extra).
import * as fs from 'node:fs'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'
import { bindingBefore } from './binding-name'
import { compiledCode } from './compiled'
import { locate, type Found } from './locate'

/** A generated location as @datadog/pprof's serialiser gives it (1-based line and column). */
export interface GeneratedLocation {
  file: string
  name?: string
  line: number
  column: number
}

/** What it expects back: the original location, or the generated one, marked when its declared map is missing. */
export interface SourceLocation {
  file?: string
  name?: string
  line?: number
  column?: number
  missingMapFile?: boolean
}

export interface Location {
  file: string
  line: number
  column: number
  /** The name the map gives the function (minified code). */
  name?: string
}

export interface Limits {
  /** A larger map is not loaded: its frames keep their generated location, marked (see locate.ts). */
  maxMapBytes: number
  /** Maps dd-run parsed itself, in bytes of map text, kept at most; the least recently used go first. */
  maxTotalBytes: number
  /** Scripts remembered at most (with or without a map). */
  maxScripts: number
}

/** In the profiled process: the app's heap pays for what is kept (about 11 times the map's size once parsed), and
 * the export stall for the parse (about 80 ms per MB of map). Larger maps are left to the backend and to top. */
export const IN_PROCESS: Limits = { maxMapBytes: 2 * 1024 * 1024, maxTotalBytes: 6 * 1024 * 1024, maxScripts: 2000 }
/** In dd-run top/report/diff, which run on their own. */
export const IN_REPORTS: Limits = { maxMapBytes: 64 * 1024 * 1024, maxTotalBytes: 256 * 1024 * 1024, maxScripts: 20000 }

export class SourceMaps {
  /** seq: the generation of the in-memory map it came from (compiled.ts), 0 when none. */
  private readonly cache = new Map<string, Found & { seq?: number }>()
  private bytes = 0
  /** Whether a frame was left with its generated location because its declared map is missing (for the event's
   * `hasMissingSourceMaps`, as dd-trace-js reports it). */
  sawMissing = false
  /** Scripts whose map could not be read, with the reason (dd-run top/report/diff say so). */
  readonly problems: string[] = []

  /** @param skip scripts never mapped (dd-run's own files: its frames stay recognisable as the profiler's). */
  constructor(
    private readonly skip: (file: string) => boolean = () => false,
    private readonly limits: Limits = IN_REPORTS,
  ) {}

  /** @datadog/pprof's SourceMapper interface: called for every distinct frame while a profile is serialised. */
  mappingInfo(loc: GeneratedLocation): SourceLocation {
    const found = this.lookup(loc.file)
    if (found.kind === 'missing') {
      this.sawMissing = true
      return { ...loc, missingMapFile: true }
    }
    const to = found.kind === 'map' ? original(found, loc.line, loc.column) : undefined
    if (!to) return loc
    return { file: to.file, line: to.line, column: to.column, name: to.name || loc.name }
  }

  /** The original location of a generated one (1-based), or undefined when it has none. */
  map(file: string, line: number, column: number): Location | undefined {
    const found = this.lookup(file.startsWith('file://') ? safePath(file) : file)
    return found.kind === 'map' ? original(found, line, column) : undefined
  }

  /** Whether the script's map is declared but missing. */
  missing(file: string): boolean {
    return this.lookup(file).kind === 'missing'
  }

  get size(): number {
    return this.cache.size
  }

  get heldBytes(): number {
    return this.bytes
  }

  /** Frees the maps (they are parsed again when asked for). */
  destroy(): void {
    this.cache.clear()
    this.bytes = 0
  }

  private lookup(file: string): Found {
    let found = this.cache.get(file)
    // Compiled again with another inline map (jest's watch mode): what was parsed is stale.
    if (found && (found.seq ?? 0) !== (compiledCode()?.seqOf(file) ?? 0)) {
      this.cache.delete(file)
      if (found.kind === 'map') this.bytes -= found.bytes
      found = undefined
    }
    if (found) {
      // Most recently used last: a Map iterates in insertion order, so the first key is the one to drop.
      this.cache.delete(file)
      this.cache.set(file, found)
      return found
    }
    const seq = compiledCode()?.seqOf(file) ?? 0
    found = !file || this.skip(file) ? { kind: 'none' } : safeLocate(file, this.limits.maxMapBytes)
    if (found.kind === 'missing' && this.problems.length < 20) {
      const problem = found.problem ?? (found.tooLarge ? `source map larger than ${this.limits.maxMapBytes >> 20} MiB, not loaded` : undefined)
      if (problem) this.problems.push(`${file}: ${problem}`)
    }
    if (seq) (found as { seq?: number }).seq = seq
    this.cache.set(file, found)
    if (found.kind === 'map') this.bytes += found.bytes
    this.evict()
    return found
  }

  private evict(): void {
    for (const [file, f] of this.cache) {
      if (this.cache.size <= this.limits.maxScripts && this.bytes <= this.limits.maxTotalBytes) return
      this.cache.delete(file)
      if (f.kind === 'map') this.bytes -= f.bytes
    }
  }
}

function safeLocate(file: string, maxMapBytes: number): Found {
  try {
    return locate(file, maxMapBytes)
  } catch {
    return { kind: 'none' }
  }
}

type Entry = Partial<{ generatedLine: number; originalSource: string; originalLine: number; originalColumn: number; name: string }>
type MapFound = Extract<Found, { kind: 'map' }>

function original(found: MapFound, line: number, column: number): Location | undefined {
  if (line <= 0) return undefined
  let entry: Entry
  try {
    // Profiles give the position a function starts at (or only its line: then the first mapping on that line).
    entry = found.map.findEntry(line - 1, Math.max(0, column - 1)) as Entry
    if (column <= 0 && entry.generatedLine !== line - 1) entry = firstOnLine(found, line - 1) ?? entry
    if (!entry.originalSource && line === 1 && column <= 1) {
      // A module's own function (the CommonJS wrapper, an ES module's body) starts before any mapping: it is the
      // module of the first source on that line, at its start.
      const sources = (found.map.payload as { sources?: string[] }).sources ?? []
      const source = firstOnLine(found, 0)?.originalSource ?? (sources.length === 1 ? sources[0] : undefined)
      return source ? { file: sourcePath(source, found.dir), line: 1, column: 1 } : undefined
    }
  } catch {
    return undefined
  }
  if (!entry.originalSource || entry.originalLine === undefined) return undefined
  const out: Location = { file: sourcePath(entry.originalSource, found.dir), line: entry.originalLine + 1, column: (entry.originalColumn ?? 0) + 1 }
  const name = nameOf(found, entry)
  if (name) out.name = name
  return out
}

/** The first mapping on a generated line, when only the line is known: the lowest column whose greatest lower
 * bound lies on that line (a binary search; findEntry gives the last mapping at or before a position). */
function firstOnLine(found: MapFound, line0: number): Entry | undefined {
  const on = (col: number): boolean => (found.map.findEntry(line0, col) as Entry).generatedLine === line0
  let hi = 1 << 20
  if (!on(hi)) return undefined
  let lo = 0
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (on(mid)) hi = mid
    else lo = mid + 1
  }
  return found.map.findEntry(line0, lo) as Entry
}

/** The function's name in the original source, for code that lost it (minified, or esbuild's __name wrappers
 * that leave V8 an anonymous function): the name the map gives at the function's start when the source has it
 * there (`function hot(`), else the binding the function is assigned to (`const hot = (`), read from the map's
 * sourcesContent or, when it has none (tsx), the source file. A name the map gives elsewhere (a parameter:
 * minified `e=>` maps to `budget`) is not the function's. */
function nameOf(found: MapFound, entry: Entry): string | undefined {
  const text = sourceLine(found, entry.originalSource as string, entry.originalLine as number)
  if (text === undefined) return entry.name
  const column0 = entry.originalColumn ?? 0
  const at = text.slice(column0)
  // The function's own name is followed by its parameters (`hot(`, `hot<T>(`); a parameter is not.
  if (entry.name && at.startsWith(entry.name) && /^\s*[(<]/.test(at.slice(entry.name.length))) return entry.name
  return bindingBefore(text.slice(0, column0))
}

function sourceLine(found: MapFound, source: string, line0: number): string | undefined {
  const lines = (found.lines ??= new Map<string, string[]>())
  let text = lines.get(source)
  if (!text) {
    const payload = found.map.payload as { sources?: string[]; sourcesContent?: (string | null)[] }
    const i = payload.sources?.indexOf(source) ?? -1
    const content = (i >= 0 ? payload.sourcesContent?.[i] : undefined) ?? readSource(sourcePath(source, found.dir))
    text = content ? content.split('\n') : []
    lines.set(source, text)
  }
  return text.length > 0 ? (text[line0] ?? '') : undefined
}

const MAX_SOURCE_BYTES = 2 * 1024 * 1024

function readSource(file: string): string | undefined {
  try {
    return path.isAbsolute(file) && fs.statSync(file).size <= MAX_SOURCE_BYTES ? fs.readFileSync(file, 'utf8') : undefined
  } catch {
    return undefined
  }
}

function sourcePath(source: string, dir: string): string {
  if (source.startsWith('file://')) return safePath(source)
  if (/^[a-z][a-z0-9+.-]*:/i.test(source) || path.isAbsolute(source)) return source
  return path.resolve(dir, source)
}

function safePath(url: string): string {
  try {
    return fileURLToPath(url)
  } catch {
    return url
  }
}
