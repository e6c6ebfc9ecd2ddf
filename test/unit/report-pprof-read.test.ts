// The lean pprof reader against pprof-format's decoder, on real profiles taken here with @datadog/pprof and on
// values that need more than 32 bits.
import assert from 'node:assert/strict'
import * as zlib from 'node:zlib'
import { describe, it } from 'node:test'
import { Profile, StringTable } from 'pprof-format'
import { readProfileProto, type PprofProfile } from '../../src/report/pprof-read'

/** pprof-format's view, reduced to the fields the lean reader keeps, with plain numbers. */
function reference(p: Profile): PprofProfile {
  return {
    sampleType: p.sampleType.map((t) => ({ type: Number(t.type), unit: Number(t.unit) })),
    sample: p.sample.map((s) => ({ locationId: s.locationId.map(Number), value: s.value.map(Number) })),
    location: p.location.map((l) => ({ id: Number(l.id), line: l.line.map((x) => ({ functionId: Number(x.functionId), line: Number(x.line), column: Number(x.column) })) })),
    function: p.function.map((f) => ({ id: Number(f.id), name: Number(f.name), filename: Number(f.filename), startLine: Number(f.startLine) })),
    stringTable: { strings: [...p.stringTable.strings] },
  }
}

function spin(ms: number): number {
  const until = Date.now() + ms
  let x = 0
  while (Date.now() < until) x += Math.sqrt(x + 1)
  return x
}

describe('readProfileProto', () => {
  it('reads wall and heap profiles of @datadog/pprof exactly as pprof-format does', async () => {
    const { time, heap, encode } = require('@datadog/pprof') as typeof import('@datadog/pprof')
    time.start({ intervalMicros: 1000, withContexts: true, collectCpuTime: true })
    heap.start(16 * 1024, 64)
    const kept: number[][] = []
    for (let i = 0; i < 50; i++) {
      spin(2)
      kept.push(new Array(1000).fill(i))
    }
    const wall = time.stop()
    const space = heap.profile()
    heap.stop()
    assert.ok(kept.length === 50)
    for (const p of [wall, space]) {
      const bytes = zlib.gunzipSync(await encode(p))
      const mine = readProfileProto(bytes)
      assert.ok(mine.sample.length > 0 && mine.location.length > 0 && mine.function.length > 0)
      assert.deepEqual(mine, reference(Profile.decode(bytes)))
    }
  })

  it('keeps values above 2^32 exact and rejects truncated input', () => {
    const st = new StringTable()
    const big = 2 ** 40 + 12345
    const p = new Profile({
      sampleType: [{ type: st.dedup('cpu'), unit: st.dedup('nanoseconds') }],
      sample: [{ locationId: [1], value: [big] }],
      location: [{ id: 1, line: [{ functionId: 1, line: 70000 }] }],
      function: [{ id: 1, name: st.dedup('f'), filename: st.dedup('/x.js') }],
      stringTable: st,
    })
    const bytes = p.encode()
    assert.equal(readProfileProto(bytes).sample[0]?.value[0], big)
    assert.equal(readProfileProto(bytes).location[0]?.line[0]?.line, 70000)
    assert.throws(() => readProfileProto(bytes.subarray(0, bytes.length - 3)))
  })
})
