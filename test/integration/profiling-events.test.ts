// The events, exceptions and out-of-memory profiles, from real processes, read back by Go's pprof.
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import * as path from 'node:path'
import { test } from 'node:test'
import { fixture } from '../helpers/paths'
import { goPprof, pprofTags, pprofTop } from '../helpers/pprof'
import { assertIntakeShape, listBundles } from '../helpers/profiles'
import { cleanEnv, ddRun, tempDir } from '../helpers/run'

const prof = (name: string) => fixture(path.join('profiling', name))

/** `go tool pprof -traces` blocks: each sample's labels and stack, as text. */
function traces(file: string): string[] {
  return goPprof(['-traces', file]).split(/^-{5,}\+-+$/m).slice(1).filter((t) => t.trim() !== '')
}

function ms(flat: string): number {
  const m = /^([\d.]+)(ns|us|µs|ms|s)$/.exec(flat)
  if (!m) return NaN
  const k = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000 }[m[2] as 'ns']
  return Number(m[1]) * k
}

test('events: GC pauses go in events.pprof as the timeline profile; a 200 ms block goes in blocks.pprof with the blocking function', async () => {
  const out = tempDir()
  const r = await ddRun(['-o', out, 'node', prof('events.js')], { env: cleanEnv() })
  assert.equal(r.code, 0, r.stderr)
  const [b] = listBundles(out)
  assert.ok(b, r.stderr)
  assertIntakeShape(b)
  assert.ok(b.event.attachments.includes('events.pprof'), String(b.event.attachments))
  const file = b.file('events.pprof')
  // dd-trace-js's timeline schema: one sample type, and the labels the backend's timeline reads.
  assert.match(goPprof(['-raw', file]), /^Samples:\ntimeline\/nanoseconds\n/m)
  const tags = pprofTags(file)
  assert.match(tags, /event: Total/)
  assert.match(tags, /\bgc\b/)
  assert.doesNotMatch(tags, /event loop block/)
  // The forced full GC (gc()) is a major one, with reason forced; the burst causes minor ones.
  assert.match(tags, /gc type:[\s\S]*\bmajor\b/)
  assert.match(tags, /gc reason:[\s\S]*forced/)
  assert.match(tags, /end_timestamp_ns:/)
  assert.match(tags, /thread name:[\s\S]*Main Event Loop/)
  const blocksFile = b.file('blocks.pprof')
  assert.match(goPprof(['-raw', blocksFile]), /blocks\/count blocked\/nanoseconds/)
  const blocking = traces(blocksFile).filter((t) => /blockTheLoop/.test(t))
  assert.ok(blocking.length > 0, `a block attributed to blockTheLoop among: ${traces(blocksFile).join('\n')}`)
  // Its duration: go tool pprof -top by blocked time puts blockTheLoop at most of the 200 ms (a lower bound).
  const row = pprofTop(blocksFile, 'blocked').find((x) => x.name === 'blockTheLoop')
  assert.ok(row && ms(row.flat) >= 100 && ms(row.flat) <= 400, `blocked time on blockTheLoop: ${row?.flat}`)
})

test('events: a block that process.exit cuts short is still in the final bundle, and the exit code stays', async () => {
  const out = tempDir()
  const r = await ddRun(['-q', '-o', out, 'node', prof('block-exit.js')], { env: cleanEnv() })
  assert.equal(r.code, 3, r.stderr)
  const [b] = listBundles(out)
  assert.ok(b)
  const row = pprofTop(b.file('blocks.pprof'), 'blocked').find((x) => x.name === 'blockThenExit')
  assert.ok(row && ms(row.flat) >= 100, `blocked time on blockThenExit: ${row?.flat}`)
})

test('exceptions: an uncaught exception is in the final bundle, and the process ends exactly as without dd-run', async () => {
  const out = tempDir()
  const r = await ddRun(['-q', '-o', out, 'node', prof('uncaught.js')], { env: cleanEnv() })
  const bare = spawnSync(process.execPath, [prof('uncaught.js')], { encoding: 'utf8', env: cleanEnv() })
  assert.equal(r.code, bare.status)
  assert.equal(r.code, 1)
  assert.match(r.stderr, /RangeError: out of range on purpose/)
  const [b] = listBundles(out)
  assert.ok(b, r.stderr)
  assert.equal(b.tags.snapshot, 'on_shutdown')
  const file = b.file('exceptions.pprof')
  assert.match(goPprof(['-raw', file]), /exception-samples\/count/)
  const [t, ...rest] = traces(file)
  assert.equal(rest.length, 0)
  assert.match(t ?? '', /exception type:\s+RangeError/)
  assert.match(t ?? '', /origin:\s+uncaughtException/)
  assert.match(t ?? '', /throwIt/)
})

test('exceptions: an unhandled rejection is in the final bundle, and Node still exits with code 1', async () => {
  const out = tempDir()
  const r = await ddRun(['-q', '-o', out, 'node', prof('rejection.js')], { env: cleanEnv() })
  assert.equal(r.code, 1, r.stderr)
  assert.match(r.stderr, /TypeError: rejected on purpose/)
  const [b] = listBundles(out)
  assert.ok(b, r.stderr)
  const [t, ...rest] = traces(b.file('exceptions.pprof'))
  assert.equal(rest.length, 0)
  assert.match(t ?? '', /exception type:\s+TypeError/)
  assert.match(t ?? '', /origin:\s+unhandledRejection/)
  assert.match(t ?? '', /rejectIt/)
})

test('out of memory: a leaking process leaves an on_oom heap profile naming the leak, and dies as without dd-run', async () => {
  const out = tempDir()
  const args = ['--max-old-space-size=48', prof('oom-leak.js')]
  const r = await ddRun(['-q', '-o', out, 'node', ...args], { env: cleanEnv() })
  const bare = spawnSync(process.execPath, args, { encoding: 'utf8', env: cleanEnv() })
  // V8's fatal error aborts the process: the same signal (the launcher re-raises it) and the same message.
  assert.equal(bare.signal, 'SIGABRT')
  assert.equal(r.signal, bare.signal, `dd-run ended with ${r.code}/${r.signal}`)
  assert.match(bare.stderr, /FATAL ERROR: .*JavaScript heap out of memory/)
  assert.match(r.stderr, /FATAL ERROR: .*JavaScript heap out of memory/)
  // dd-run adds nothing unprefixed to stderr: every line is V8's / Node's own or starts with dd-run:.
  assert.doesNotMatch(r.stderr, /NearHeapLimit|HeapObjectStats/)
  const oom = listBundles(out).filter((b) => b.tags.snapshot === 'on_oom')
  assert.equal(oom.length, 1, `on_oom bundles: ${listBundles(out).map((b) => b.tags.snapshot)}`)
  const b = oom[0]!
  assertIntakeShape(b)
  assert.deepEqual(b.event.attachments, ['space.pprof'])
  const top = pprofTop(b.file('space.pprof'), 'inuse_space')
  assert.equal(top[0]?.name, 'leakSomeMore', JSON.stringify(top.slice(0, 3)))
})

test('DD_PROFILING_OOM_MONITORING=false: no on_oom profile', async () => {
  const out = tempDir()
  const r = await ddRun(['-q', '-o', out, 'node', '--max-old-space-size=48', prof('oom-leak.js')], { env: cleanEnv({ DD_PROFILING_OOM_MONITORING: 'false' }) })
  assert.equal(r.signal, 'SIGABRT')
  assert.deepEqual(listBundles(out).filter((b) => b.tags.snapshot === 'on_oom'), [])
})
