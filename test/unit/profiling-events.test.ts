// The events profiler's two profiles, fed by hand: events.pprof in dd-trace-js's timeline schema (GC type and
// reason labels, end times, capped by reservoir sampling), blocks.pprof with GC pauses taken out of a block's time.
import assert from 'node:assert/strict'
import { performance, PerformanceObserver } from 'node:perf_hooks'
import { test } from 'node:test'
import { EventsRecorder, MAX_GC_EVENTS, MAX_GC_PER_SECOND } from '../../src/profiling/events'

type Internals = { gc(e: unknown): void; blocks: { startMs: number; endMs: number; durationMs: number; stacks: Map<string, unknown> }[] }

function labelsOf(p: { stringTable: { strings: string[] }; sample: { label: { key: unknown; str?: unknown; num?: unknown }[] }[] }, i: number): Record<string, string> {
  const s = p.stringTable.strings
  const out: Record<string, string> = {}
  for (const l of p.sample[i]!.label) out[s[Number(l.key)]!] = Number(l.str) ? s[Number(l.str)]! : String(l.num)
  return out
}

test('events.pprof: timeline/nanoseconds, gc type and reason as dd-trace-js names them, the end time in ns', () => {
  const r = new EventsRecorder(50, { 'thread name': 'Main Event Loop', 'thread id': '0' })
  const rec = r as unknown as Internals
  rec.gc({ startTime: 1000, duration: 2, detail: { kind: 4, flags: 4 } }) // major, forced
  rec.gc({ startTime: 2000, duration: 1, detail: { kind: 1, flags: 0 } }) // minor, no reason
  const { events } = r.take(new Date(0), new Date())
  const s = events.stringTable.strings
  assert.deepEqual(events.sampleType.map((t) => `${s[Number(t.type)]}/${s[Number(t.unit)]}`), ['timeline/nanoseconds'])
  const major = labelsOf(events, 0)
  assert.equal(major.event, 'gc')
  assert.equal(major['gc type'], 'major')
  assert.equal(major['gc reason'], 'forced')
  assert.equal(Number(major.end_timestamp_ns), Math.round((performance.timeOrigin + 1002) * 1e6))
  assert.equal(events.sample[0]!.value[0], 2_000_000)
  assert.equal(labelsOf(events, 1)['gc type'], 'minor')
  assert.equal(labelsOf(events, 1)['gc reason'], undefined)
})

test('a GC storm is capped per period by reservoir sampling, not cut off at its start', () => {
  const r = new EventsRecorder(50, {})
  const rec = r as unknown as Internals
  const n = MAX_GC_EVENTS * 3
  for (let i = 0; i < n; i++) rec.gc({ startTime: i, duration: 0.1, detail: { kind: 1, flags: 0 } })
  const { events } = r.take(new Date(0), new Date())
  assert.equal(events.sample.length, MAX_GC_EVENTS)
  // Some of the kept events come from the last two thirds: the sample covers the whole period.
  const late = events.sample.filter((_, i) => Number(labelsOf(events, i).end_timestamp_ns) > (performance.timeOrigin + MAX_GC_EVENTS) * 1e6)
  assert.ok(late.length > MAX_GC_EVENTS / 3, `${late.length} late events kept`)
  // The next period starts empty.
  assert.equal(r.take(new Date(0), new Date()).events.sample.length, 0)
})

test('blocks.pprof: a block\'s time excludes the GC pauses inside it (they are in events.pprof)', () => {
  const r = new EventsRecorder(50, {})
  const rec = r as unknown as Internals
  const t0 = performance.timeOrigin
  rec.blocks.push({ startMs: t0 + 1000, endMs: t0 + 1300, durationMs: 250, stacks: new Map() })
  rec.gc({ startTime: 1100, duration: 40, detail: { kind: 4, flags: 0 } }) // inside
  rec.gc({ startTime: 1290, duration: 20, detail: { kind: 1, flags: 0 } }) // half inside: 10 ms
  rec.gc({ startTime: 5000, duration: 30, detail: { kind: 1, flags: 0 } }) // outside
  const { blocks } = r.take(new Date(0), new Date())
  const s = blocks.stringTable.strings
  assert.deepEqual(blocks.sampleType.map((t) => `${s[Number(t.type)]}/${s[Number(t.unit)]}`), ['blocks/count', 'blocked/nanoseconds'])
  assert.equal(blocks.sample.length, 1)
  assert.deepEqual(blocks.sample[0]!.value.map(Number), [1, 200_000_000])
})

type SlotInternals = Internals & { gcs: unknown[]; paused: boolean; slotStart: number; check(): void }

test('the GC observer sees at most its share of events in a second, and is back on after it', () => {
  // A 60 s period: 2000 events spread over 60 seconds would be 34 a second; the share is MAX_GC_PER_SECOND.
  const r = new EventsRecorder(50, {}, 60_000)
  const rec = r as unknown as SlotInternals
  r.start()
  try {
    const t = rec.slotStart
    for (let i = 0; i < MAX_GC_PER_SECOND - 1; i++) rec.gc({ startTime: t + i, duration: 0.1, detail: { kind: 1, flags: 0 } })
    assert.equal(rec.paused, false, 'still on below the share')
    rec.gc({ startTime: t + 40, duration: 0.1, detail: { kind: 1, flags: 0 } })
    assert.equal(rec.paused, true, 'off once the second\'s share is seen')
    rec.check()
    assert.equal(rec.paused, true, 'still off within the same second')
    rec.slotStart -= 1000 // the second is over
    rec.check()
    assert.equal(rec.paused, false, 'the block timer turns it on again')
    // A new second starts its own count: an event a second later does not turn it off.
    rec.gc({ startTime: rec.slotStart + 1500, duration: 0.1, detail: { kind: 1, flags: 0 } })
    assert.equal(rec.paused, false)
    assert.equal(rec.gcs.length, MAX_GC_PER_SECOND + 1, 'every event the observer delivered is kept')
  } finally {
    r.stop()
  }
})

test('with a real allocation storm, the observer records no more than its share while V8 keeps collecting', async () => {
  // A period so long that the share is one event a second.
  const r = new EventsRecorder(50, {}, MAX_GC_EVENTS * 1000)
  const rec = r as unknown as SlotInternals
  let all = 0
  const counter = new PerformanceObserver((list) => (all += list.getEntries().length))
  counter.observe({ entryTypes: ['gc'] })
  r.start()
  try {
    const until = performance.now() + 600
    let junk: unknown[] = []
    while (performance.now() < until) {
      for (let i = 0; i < 20_000; i++) junk.push({ i, s: `x${i}` })
      junk = []
      await new Promise((resolve) => setImmediate(resolve))
    }
    await new Promise((resolve) => setImmediate(resolve))
    assert.ok(all >= 30, `the storm made only ${all} GCs`)
    // One slot (the run is shorter than a second): its one event, plus the entries Node had already queued for the
    // same delivery when the observer went off.
    assert.ok(rec.gcs.length >= 1 && rec.gcs.length <= 8, `${rec.gcs.length} of ${all} GCs recorded`)
  } finally {
    r.stop()
    counter.disconnect()
  }
})
