// What top shows for frames: a module's own code as `(module) <file>`, other anonymous functions as `(anonymous)`
// at their line and column, and the profiler's own frames (dd-run, @datadog/pprof) as one `(dd-run profiler)`
// line by default, hidden with --profiler-frames hide, as they are with show; and the share of the app's in-use
// heap that sits under the profiler's frames.
import assert from 'node:assert/strict'
import * as fs from 'node:fs'
import { before, describe, it } from 'node:test'
import { PROFILER_FRAME } from '../../src/report/frame-names'
import { isProfilerScript } from '../../src/sourcemap/own-files'
import { fixture } from '../helpers/paths'
import { profileRun } from '../helpers/report'
import { cleanEnv, ddRun, tempDir } from '../helpers/run'

interface TopJson {
  total: number
  functions: { name: string; file: string; line: number; location: string; self: number; totalShare: number }[]
}

const APP = fixture('sourcemap/alloc.js')
const callbackLine = fs.readFileSync(APP, 'utf8').split('\n').findIndex((l) => l.includes('[0].forEach(function () {')) + 1

async function top(dir: string, ...args: string[]): Promise<TopJson> {
  const r = await ddRun(['top', dir, '--json', '-n', '0', ...args], { env: cleanEnv() })
  assert.equal(r.code, 0, r.stderr)
  return JSON.parse(r.stdout) as TopJson
}

describe('frame names in top', () => {
  const dir = tempDir()
  before(async () => {
    // A small heap sampling interval: the heap shares below are estimates from samples. The profiler's share is
    // mostly a few large objects (Node's internal modules the preload loads); at 32 KiB it was 0.4 to 3.8 % from
    // run to run for the same program, at 8 KiB 1.1 to 2.1 % (8 runs each, 2026-11-26).
    await profileRun(dir, [APP], { REPORT_HOT_MS: '1500', ALLOC_MB: '16', DD_PROFILING_HEAP_SAMPLING_INTERVAL: '8192' })
  })

  it('shows the module wrapper as (module) <file> and an anonymous callback as (anonymous) at line:column', async () => {
    const fns = (await top(dir)).functions
    const mod = fns.find((f) => f.file === APP && f.name.startsWith('(module) '))
    assert.ok(mod, JSON.stringify(fns.slice(0, 6)))
    assert.match(mod.name, /^\(module\) \S*test\/fixtures\/sourcemap\/alloc\.js$/)
    const anon = fns.find((f) => f.file === APP && f.name === '(anonymous)')
    assert.ok(anon, JSON.stringify(fns.slice(0, 6)))
    assert.equal(anon.line, callbackLine)
    assert.match(anon.location, new RegExp(`alloc\\.js:${callbackLine}:\\d+$`))
    assert.ok(!fns.some((f) => /^\(anonymous:L#/.test(f.name)), 'no raw V8 names are left')
  })

  it("groups the profiler's frames under one name by default, hides them with hide, shows them with show", async () => {
    for (const type of ['cpu', 'space']) {
      const grouped = await top(dir, '--type', type)
      assert.ok(!grouped.functions.some((f) => isProfilerScript(f.file)), `${type}: no profiler function among the app's`)
      const shown = await top(dir, '--type', type, '--profiler-frames', 'show')
      assert.ok(!shown.functions.some((f) => f.name === PROFILER_FRAME))
      const hidden = await top(dir, '--type', type, '--profiler-frames', 'hide')
      assert.ok(!hidden.functions.some((f) => f.name === PROFILER_FRAME || isProfilerScript(f.file)))
      const own = grouped.functions.find((f) => f.name === PROFILER_FRAME)
      // Whatever the profiler cost, hiding it takes exactly that out of the total, and show lists its functions.
      assert.equal(Math.round(hidden.total), Math.round(grouped.total - (own?.self ?? 0)), type)
      if (own) assert.ok(shown.functions.some((f) => isProfilerScript(f.file)), `${type}: show lists the profiler's own functions`)
    }
  })

  it("less than 3 % of the app's in-use heap sits under the profiler's frames", async () => {
    const space = await top(dir, '--type', 'space')
    const own = space.functions.find((f) => f.name === PROFILER_FRAME)
    assert.ok((own?.totalShare ?? 0) < 3, `the profiler holds ${own?.totalShare.toFixed(1)} % of the heap in use`)
  })
})
