// Reads what the file exporter wrote: every bundle directory under an output directory, with its event.json and
// its tags parsed, and checks each against the intake rules (datadog-intake.md) and Go's pprof reader.
import assert from 'node:assert/strict'
import * as fs from 'node:fs'
import { gunzipSync } from 'node:zlib'
import { checkEvent, checkProfile } from './datadog-rules'
import * as path from 'node:path'
import { pprofRaw } from './pprof'

export interface OnDiskBundle {
  dir: string
  service: string
  /** `<pid>-<role>-<runtime id 8>` */
  processDir: string
  event: {
    attachments: string[]
    start: string
    end: string
    family: string
    version: string
    tags_profiler: string
    info: Record<string, any>
  }
  tags: Record<string, string>
  file(name: string): string
}

/** With allowTemp, temporary directories (a writer killed mid-write) are skipped instead of failing the test. */
export function listBundles(outputDir: string, allowTemp = false): OnDiskBundle[] {
  const out: OnDiskBundle[] = []
  for (const service of ls(outputDir)) {
    for (const proc of ls(path.join(outputDir, service))) {
      for (const b of ls(path.join(outputDir, service, proc))) {
        const dir = path.join(outputDir, service, proc, b)
        if (!fs.statSync(dir).isDirectory()) continue // process.json and other files next to the bundles
        if (allowTemp && b.startsWith('.tmp-')) continue
        assert.ok(!b.startsWith('.tmp-'), `a temporary directory was left behind: ${dir}`)
        const event = JSON.parse(fs.readFileSync(path.join(dir, 'event.json'), 'utf8'))
        const tags: Record<string, string> = {}
        for (const item of String(event.tags_profiler).split(',')) {
          const at = item.indexOf(':')
          tags[item.slice(0, at)] = item.slice(at + 1)
        }
        out.push({ dir, service, processDir: proc, event, tags, file: (n) => path.join(dir, n) })
      }
    }
  }
  return out.sort((a, b) => a.dir.localeCompare(b.dir))
}

/** Groups bundles by process directory, each list in sequence order. */
export function byProcess(bundles: OnDiskBundle[]): Map<string, OnDiskBundle[]> {
  const m = new Map<string, OnDiskBundle[]>()
  for (const b of bundles) m.set(b.processDir, [...(m.get(b.processDir) ?? []), b])
  for (const list of m.values()) list.sort((a, b) => Number(a.tags.profile_seq) - Number(b.tags.profile_seq))
  return m
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/
const REQUIRED_TAGS = [
  'language', 'runtime', 'runtime_version', 'runtime_arch', 'runtime_os', 'process_id', 'profiler_version', 'format',
  'service', 'runtime-id', 'snapshot', 'profile_seq', 'process_role',
]

/** The intake's rules for event.json and its attachments, and pprof's own reading of every attachment. */
export function assertIntakeShape(b: OnDiskBundle): void {
  assertIntakeShapeOn(b, process.version)
}

/** As assertIntakeShape, for a program that ran on another Node (the version matrix): runtimeVersion 'v18.20.8'. */
export function assertIntakeShapeOn(b: OnDiskBundle, runtimeVersion: string): void {
  const e = b.event
  assert.deepEqual(fs.readdirSync(b.dir).sort(), ['event.json', ...e.attachments].sort(), `files of ${b.dir}`)
  for (const a of e.attachments) {
    assert.match(a, /^[a-z]+\.pprof$/)
    const data = fs.readFileSync(b.file(a))
    assert.equal(data[0], 0x1f, `${a} is gzip'ed`)
    assert.equal(data[1], 0x8b, `${a} is gzip'ed`)
    pprofRaw(b.file(a)) // throws if pprof cannot read it
  }
  assert.match(e.start, RFC3339)
  assert.match(e.end, RFC3339)
  assert.ok(Date.parse(e.start) <= Date.parse(e.end), 'start <= end')
  assert.equal(e.family, 'node')
  assert.equal(e.version, '4')
  for (const t of REQUIRED_TAGS) assert.ok(b.tags[t], `tag ${t} in ${e.tags_profiler}`)
  // The Datadog backend's own expectations (test/helpers/datadog-rules.ts), on the files as on the wire.
  checkEvent(e as unknown as Record<string, unknown>)
  for (const a of e.attachments) checkProfile(a, gunzipSync(fs.readFileSync(b.file(a))))
  assert.equal(b.tags.language, 'javascript')
  assert.equal(b.tags.runtime, 'nodejs')
  assert.equal(b.tags.format, 'pprof')
  assert.equal(b.tags.runtime_version, runtimeVersion)
  assert.equal(`v${e.info.runtime.version}`, runtimeVersion)
  assert.match(b.tags['runtime-id'] as string, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/)
  assert.ok(['periodic', 'on_shutdown', 'on_oom'].includes(b.tags.snapshot as string))
  assert.equal(e.info.runtime.engine, 'nodejs')
  assert.equal(e.info.application.service, b.tags.service)
  assert.equal(b.processDir, `${b.tags.process_id}-${b.tags.process_role}-${(b.tags['runtime-id'] as string).slice(0, 8)}`)
  // No tag value may carry a comma (it would split the list) and every item is key:value.
  for (const item of e.tags_profiler.split(',')) assert.match(item, /^[^:,]+:[^,]+$/)
}

function ls(dir: string): string[] {
  try {
    return fs.readdirSync(dir).sort()
  } catch {
    return []
  }
}
