// What the Datadog backend relies on beyond the intake's own shape checks, as dd-trace-js 6.x sends it (see
// /work/shared/datadog-intake.md): the strict fake agent (and the file tests) apply these to every upload, so any
// test that uploads checks them too. Each rule throws with a message naming what differs.
import type { IncomingHttpHeaders } from 'node:http'

interface Label {
  key: number
  str?: number
  num?: unknown
}
interface Decoded {
  sampleType: { type: number; unit: number }[]
  sample: { label: Label[] }[]
  stringTable: { strings: string[] }
}

function decode(raw: Uint8Array): Decoded {
  const { Profile } = require('pprof-format') as { Profile: { decode(b: Uint8Array): Decoded } }
  return Profile.decode(raw)
}

/** The labels of a sample as key -> string value (numbers as their decimal text). */
function labelsOf(p: Decoded, s: { label: Label[] }): Record<string, string> {
  const out: Record<string, string> = {}
  for (const l of s.label) {
    const key = p.stringTable.strings[Number(l.key)] ?? ''
    out[key] = l.str !== undefined && Number(l.str) !== 0 ? (p.stringTable.strings[Number(l.str)] ?? '') : String(l.num ?? '')
  }
  return out
}

export function checkHeaders(headers: IncomingHttpHeaders): void {
  const entity = headers['datadog-entity-id']
  if (entity !== undefined && !/^(ci-[0-9a-f_-]+|in-\d+)$/.test(String(entity))) throw new Error(`Datadog-Entity-ID ${JSON.stringify(entity)} is neither ci-<container id> nor in-<inode>`)
}

export function checkEvent(event: Record<string, unknown>): void {
  const tags = String(event.tags_profiler)
  const seq = /(?:^|,)profile_seq:([^,]*)/.exec(tags)?.[1]
  if (seq === undefined || !/^\d+$/.test(seq)) throw new Error(`profile_seq ${JSON.stringify(seq)} is not a count from 0`)
  if (typeof event.endpoint_counts !== 'object' || event.endpoint_counts === null) throw new Error('event.endpoint_counts is not an object')
  if (typeof event.process_tags !== 'string' || !/(^|,)entrypoint\.type:script(,|$)/.test(event.process_tags)) throw new Error(`event.process_tags ${JSON.stringify(event.process_tags)}`)
  const info = event.info as { platform?: { hostname?: unknown }; profiler?: { activation?: unknown; ssi?: { mechanism?: unknown }; serverless?: unknown } } | undefined
  const profiler = info?.profiler
  if (!['manual', 'auto', 'injection'].includes(String(profiler?.activation))) throw new Error(`info.profiler.activation ${JSON.stringify(profiler?.activation)}`)
  if (typeof profiler?.ssi?.mechanism !== 'string') throw new Error('info.profiler.ssi.mechanism is missing')
  if (typeof profiler?.serverless !== 'boolean') throw new Error('info.profiler.serverless is not a boolean')
  // The host goes in both places or in neither (DD_TRACE_REPORT_HOSTNAME).
  const hostTag = /(?:^|,)host:/.test(tags)
  if (hostTag !== (info?.platform?.hostname !== undefined)) throw new Error(`host tag ${hostTag} but info.platform.hostname ${JSON.stringify(info?.platform?.hostname)}`)
}

/** One attachment, gunzip'ed. */
export function checkProfile(name: string, raw: Uint8Array): void {
  const p = decode(raw)
  if (p.sample.length === 0) throw new Error(`part ${name} has no sample: an empty attachment is not sent`)
  const types = p.sampleType.map((t) => `${p.stringTable.strings[Number(t.type)]}/${p.stringTable.strings[Number(t.unit)]}`)
  if (name === 'events.pprof') {
    if (types.join(' ') !== 'timeline/nanoseconds') throw new Error(`events.pprof sample types ${types.join(' ')}, expected the timeline schema (timeline/nanoseconds)`)
    for (const s of p.sample) {
      const l = labelsOf(p, s)
      if (!l.event || !l.end_timestamp_ns) throw new Error(`events.pprof sample without event or end_timestamp_ns: ${JSON.stringify(l)}`)
      if (l.event === 'gc' && !l['gc type']) throw new Error(`events.pprof gc sample without gc type: ${JSON.stringify(l)}`)
    }
  }
  if (name === 'wall.pprof') {
    const all = p.sample.map((s) => labelsOf(p, s))
    const timeline = all.some((l) => l.end_timestamp_ns)
    for (const l of all) {
      if (l['thread name'] === 'Non-JS threads') {
        if (l['thread id'] !== 'NA' || l['os thread id'] !== 'NA') throw new Error(`the non-JS threads sample is labelled ${JSON.stringify(l)}`)
        continue
      }
      if (!l['thread name'] || !l['thread id']) throw new Error(`wall.pprof sample without thread labels: ${JSON.stringify(l)}`)
      if (timeline && !l.end_timestamp_ns) throw new Error(`wall.pprof: timeline on, but a sample has no end_timestamp_ns: ${JSON.stringify(l)}`)
    }
  }
}
