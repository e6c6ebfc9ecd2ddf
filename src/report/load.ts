// Reads a profile directory written by the file exporter (the layout of src/export/layout.ts, the tags of
// src/export/bundle.ts):
// Only event.json is read while listing and filtering; the pprof files are decoded later, one at a time.
import * as fs from 'node:fs'
import * as path from 'node:path'
import * as zlib from 'node:zlib'
import { parseTags, TAG } from '../export/bundle'
import { EVENT_FILE, isTemporary, PROCESS_FILE } from '../export/layout'
import { readProfileProto, type PprofProfile } from './pprof-read'

/** One upload period of one process: an event.json and its attachments. */
export interface ProfileEntry {
  dir: string
  start: number
  end: number
  tags: Readonly<Record<string, string>>
  service: string
  pid: string
  role: string
  runtimeId: string
  runId: string
  /** Attachment name (`wall.pprof`) -> absolute path, for the attachments present on disk. */
  files: Readonly<Record<string, string>>
  info: unknown
  /** The command line, from process.json beside the process's bundles. */
  command?: string
}

export interface Filters {
  service?: string
  pid?: string
  role?: string
  runId?: string
  /** Epoch ms: profiles that end before `since` or start after `until` are left out. */
  since?: number
  until?: number
}

export interface Listing {
  entries: ProfileEntry[]
  /** Directories that look like profiles but could not be read, with the reason. */
  skipped: { dir: string; reason: string }[]
}

/** Every profile under `root`, oldest first. In-progress writes (TMP_PREFIX) are skipped. */
export function listProfiles(root: string, filters: Filters = {}): Listing {
  const entries: ProfileEntry[] = []
  const skipped: Listing['skipped'] = []
  walk(root, 0, (dir) => {
    const entry = readEntry(dir)
    if (typeof entry === 'string') skipped.push({ dir, reason: entry })
    else if (matches(entry, filters)) entries.push(entry)
  })
  entries.sort((a, b) => a.start - b.start || a.dir.localeCompare(b.dir))
  return { entries, skipped }
}

// The layout is 3 levels deep; accept the service or process directory as root too, so look a little deeper.
function walk(dir: string, depth: number, found: (dir: string) => void): void {
  let names: fs.Dirent[]
  try {
    names = fs.readdirSync(dir, { withFileTypes: true })
  } catch {
    return
  }
  if (names.some((d) => d.isFile() && d.name === EVENT_FILE)) {
    found(dir)
    return
  }
  if (depth >= 4) return
  for (const d of names) {
    if (d.isDirectory() && !isTemporary(d.name)) walk(path.join(dir, d.name), depth + 1, found)
  }
}

function readEntry(dir: string): ProfileEntry | string {
  let event: Record<string, unknown>
  try {
    event = JSON.parse(fs.readFileSync(path.join(dir, EVENT_FILE), 'utf8')) as Record<string, unknown>
  } catch (err) {
    return `event.json unreadable (${(err as Error).message})`
  }
  const start = Date.parse(String(event.start))
  const end = Date.parse(String(event.end))
  if (!Number.isFinite(start) || !Number.isFinite(end)) return 'event.json has no valid start/end'
  const tags = parseTags(typeof event.tags_profiler === 'string' ? event.tags_profiler : '')
  const files: Record<string, string> = {}
  const attachments = Array.isArray(event.attachments) ? (event.attachments as unknown[]) : []
  for (const name of attachments) {
    if (typeof name !== 'string' || name.includes('/') || name.includes('\\')) continue
    const file = path.join(dir, name)
    if (fs.existsSync(file)) files[name] = file
  }
  return {
    dir,
    start,
    end,
    tags,
    service: tags[TAG.service] ?? path.basename(path.dirname(path.dirname(dir))),
    pid: tags[TAG.pid] ?? '',
    role: tags[TAG.role] ?? 'main',
    runtimeId: tags[TAG.runtimeId] ?? path.basename(path.dirname(dir)),
    runId: tags[TAG.runId] ?? '',
    files,
    info: event.info,
    ...processFacts(path.dirname(dir)),
  }
}

const processFactsCache = new Map<string, { command?: string }>()
/** The file exporter's process.json beside the bundles of a process, read once per process directory. */
function processFacts(procDir: string): { command?: string } {
  let facts = processFactsCache.get(procDir)
  if (facts === undefined) {
    facts = {}
    try {
      const parsed = JSON.parse(fs.readFileSync(path.join(procDir, PROCESS_FILE), 'utf8')) as { command?: unknown }
      if (typeof parsed.command === 'string') facts = { command: parsed.command }
    } catch {
      // Older layouts and other writers have none: the report shows no command.
    }
    processFactsCache.set(procDir, facts)
  }
  return facts
}

function matches(e: ProfileEntry, f: Filters): boolean {
  if (f.service !== undefined && e.service !== f.service) return false
  if (f.pid !== undefined && e.pid !== f.pid) return false
  if (f.role !== undefined && e.role !== f.role) return false
  if (f.runId !== undefined && !e.runId.startsWith(f.runId)) return false
  if (f.since !== undefined && e.end < f.since) return false
  if (f.until !== undefined && e.start > f.until) return false
  return true
}

/** Decodes one gzip'ed (or plain) pprof file. Throws with the file name when it is not a valid profile. */
export function readPprof(file: string): PprofProfile {
  const raw = fs.readFileSync(file)
  try {
    const data = raw[0] === 0x1f && raw[1] === 0x8b ? zlib.gunzipSync(raw) : raw
    return readProfileProto(data)
  } catch (err) {
    throw new Error(`${file} is not a readable pprof profile (${(err as Error).message})`)
  }
}

const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }

/**
 * A --since/--until value: an ISO 8601 time, or a duration ago such as 30s, 15m, 2h, 1d.
 * Returns epoch ms, or undefined when the text is neither.
 */
export function parseTime(text: string, now = Date.now()): number | undefined {
  const rel = /^(\d+(?:\.\d+)?)([smhd])$/.exec(text.trim())
  if (rel) return now - Number(rel[1]) * (UNITS[rel[2] as string] as number)
  if (!/^\d{4}-\d{2}-\d{2}/.test(text.trim())) return undefined
  const t = Date.parse(text)
  return Number.isFinite(t) ? t : undefined
}
