// withLabels on AsyncContextFrame (@datadog/pprof's useCPED) where the runtime has it: Node 24 and newer, and 22
// with --experimental-async-context-frame; the async_hooks hook elsewhere (20, 22 without the flag, 24 with
// --no-async-context-frame, or DD_PROFILING_ASYNC_CONTEXT_FRAME_ENABLED=false). Either way the same labels reach
// the same samples: sync work and work after an await. event.json says which way was taken.
import assert from 'node:assert/strict'
import * as path from 'node:path'
import { describe, it } from 'node:test'
import { nodeBinary, withNodeOnPath } from '../helpers/node-versions'
import { fixture, ROOT } from '../helpers/paths'
import { pprofTags } from '../helpers/pprof'
import { listBundles } from '../helpers/profiles'
import { cleanEnv, ddRun, tempDir } from '../helpers/run'

const app = fixture(path.join('api', 'labels.js'))

const CASES = [
  { major: 24, nodeArgs: [], env: {}, acf: true },
  { major: 26, nodeArgs: [], env: {}, acf: true },
  { major: 22, nodeArgs: ['--experimental-async-context-frame'], env: {}, acf: true },
  { major: 22, nodeArgs: [], env: {}, acf: false },
  { major: 24, nodeArgs: ['--no-async-context-frame'], env: {}, acf: false },
  { major: 24, nodeArgs: [], env: { DD_PROFILING_ASYNC_CONTEXT_FRAME_ENABLED: 'false' }, acf: false },
]

describe('labels on AsyncContextFrame', () => {
  for (const c of CASES) {
    const bin = nodeBinary(c.major)
    const how = [...c.nodeArgs, ...Object.entries(c.env).map(([k, v]) => `${k}=${v}`)].join(' ') || 'by default'
    it(`Node ${c.major} ${how}: ${c.acf ? 'AsyncContextFrame' : 'the async_hooks hook'}, and both routes labelled`, { skip: !bin && `Node ${c.major} is not installed` }, async () => {
      const out = tempDir()
      const r = await ddRun(['-q', '-o', out, 'node', ...c.nodeArgs, app, '600'], { env: withNodeOnPath(bin!, cleanEnv(c.env)) })
      assert.equal(r.code, 0, r.stderr)
      assert.equal(r.stdout, 'done\n')
      const [b] = listBundles(out)
      assert.equal(b!.event.info.profiler.settings.labelsOnAsyncContextFrame, c.acf)
      const tags = pprofTags(b!.file('wall.pprof'))
      assert.match(tags, /route: Total/)
      assert.match(tags, /\/users\/:id/)
      assert.match(tags, /\/orders/)
      // The orders handler runs after an await: its labels travelled with the continuation.
      const orders = await ddRun(['top', out, '--json', '--label', 'route=/orders'], { env: cleanEnv() })
      const names = (JSON.parse(orders.stdout) as { functions: { name: string; total: number }[] }).functions.filter((f) => f.total > 0).map((f) => f.name)
      assert.ok(names.includes('handleOrders') && !names.includes('handleUsers'), names.join(', '))
    })
  }

  it('nesting and currentLabels on AsyncContextFrame: inner labels add to outer ones, across awaits, and end with fn', { skip: !nodeBinary(24) && 'Node 24 is not installed' }, async () => {
    const code = `const { withLabels, withLabelsAsync, currentLabels } = require(${JSON.stringify(path.join(ROOT, 'dist', 'src', 'index.js'))})
      const seen = []
      withLabelsAsync({ route: '/a', team: 'x' }, async () => {
        await new Promise((r) => setTimeout(r, 5))
        await withLabelsAsync({ route: '/b' }, async () => { await null; seen.push(currentLabels()) })
        seen.push(currentLabels())
      }).then(() => { seen.push(currentLabels()); console.log(JSON.stringify(seen)) })`
    const out = tempDir()
    const r = await ddRun(['-q', '-o', out, 'node', '-e', code], { env: withNodeOnPath(nodeBinary(24)!, cleanEnv()) })
    assert.equal(r.code, 0, r.stderr)
    assert.deepEqual(JSON.parse(r.stdout), [{ route: '/b', team: 'x' }, { route: '/a', team: 'x' }, {}])
    assert.equal(listBundles(out)[0]!.event.info.profiler.settings.labelsOnAsyncContextFrame, true)
  })
})
