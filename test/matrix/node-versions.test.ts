// The version matrix: the scenarios that depend on the Node.js running the profiled program, repeated on every
// version of scripts/node-versions.txt (installed by scripts/install-node-versions.sh). The launcher stays on the
// test's own Node (it needs 20+); the program's `node` is the matrix version, first on PATH, so its children,
// cluster workers and worker threads run on it too. Which scenarios repeat, and why, is said in scripts/test.sh.
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { after, describe, it } from 'node:test'
import { FakeAgent } from '../helpers/fake-agent'
import { NODE_VERSIONS, versionBinary, withNodeOnPath } from '../helpers/node-versions'
import { fixture, ROOT } from '../helpers/paths'
import { pprofTop } from '../helpers/pprof'
import { assertIntakeShapeOn, byProcess, listBundles, type OnDiskBundle } from '../helpers/profiles'
import { cleanEnv, ddRun, start, tempDir, waitFor } from '../helpers/run'

const prof = (name: string) => fixture(path.join('profiling', name))
const agents: FakeAgent[] = []
after(() => Promise.all(agents.map((a) => a.close())))

describe('the versions tested are the versions the README supports', () => {
  it('README.md table of supported versions == scripts/node-versions.txt', () => {
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8')
    const rows = [...readme.matchAll(/^\| (\d+) +\| (\d+\.\d+\.\d+) +\|/gm)].map((m) => ({ major: m[1], version: m[2] }))
    assert.deepEqual(rows.map((r) => r.version), [...NODE_VERSIONS])
    for (const r of rows) assert.ok(r.version.startsWith(`${r.major}.`), `${r.major} vs ${r.version}`)
  })
})

for (const version of NODE_VERSIONS) {
  const bin = versionBinary(version)
  const skip = bin ? false : `Node ${version} is not installed (scripts/install-node-versions.sh: Linux x86_64 only)`
  const env = (extra: NodeJS.ProcessEnv = {}) => withNodeOnPath(bin ?? 'node', cleanEnv(extra))

  describe(`profiled program on Node ${version}`, { skip }, () => {
    it('a process tree (fork, spawn, grandchild, cluster, worker thread): every process profiled, readable by pprof and dd-run top', async () => {
      const out = tempDir()
      const r = await ddRun(['-o', out, '-s', 'family', 'node', prof('family.js')], { env: env(), timeoutMs: 120_000 })
      assert.equal(r.code, 0, r.stderr)
      assert.equal(r.stdout, 'family done\n')
      const bundles = listBundles(out)
      bundles.forEach((b) => assertIntakeShapeOn(b, `v${version}`))
      const procs = [...byProcess(bundles).values()].map((list) => list.at(-1) as OnDiskBundle)
      assert.deepEqual(procs.map((b) => b.tags.process_role).sort(), ['child', 'child', 'child', 'cluster_worker', 'cluster_worker', 'main', 'worker_thread'], r.stderr)
      const hot = procs.flatMap((b) => pprofTop(b.file('wall.pprof'), 'wall').map((x) => x.name))
      for (const leaf of ['leafForked', 'leafSpawned', 'leafGrandchild', 'leafClusterWorker', 'leafWorkerThread']) assert.ok(hot.includes(leaf), `${leaf} in some wall profile`)
      // The report reads profiles written on this version.
      const top = await ddRun(['top', out, '-n', '20'], { env: cleanEnv() })
      assert.equal(top.code, 0, top.stderr)
      assert.match(top.stdout, /7 profiles from 7 processes/)
      assert.match(top.stdout, / burn +\S*family\.js:\d+/)
    })

    for (const way of [
      { how: 'exit3', code: 3, signal: null },
      { how: 'sigterm', code: null, signal: 'SIGTERM' as const },
      { how: 'uncaught', code: 1, signal: null },
    ]) {
      it(`exit path "${way.how}": the final profile is written and the status stays ${way.signal ?? `code ${way.code}`}`, async () => {
        const out = tempDir()
        const { child, done } = start(process.execPath, [path.join(ROOT, 'dist', 'bin', 'dd-run.js'), '-o', out, 'node', prof('exits.js'), way.how], { env: env() })
        if (way.signal) {
          let stdout = ''
          child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()))
          await waitFor(() => stdout.includes('ready'), 20_000, 'the fixture to be ready')
          child.kill(way.signal)
        }
        const r = await done
        assert.equal(r.signal, way.signal, r.stderr)
        assert.equal(r.code, way.code, r.stderr)
        const bundles = listBundles(out)
        assert.equal(bundles.length, 1, r.stderr)
        assertIntakeShapeOn(bundles[0]!, `v${version}`)
        assert.equal(bundles[0]!.tags.snapshot, 'on_shutdown')
        assert.ok(pprofTop(bundles[0]!.file('wall.pprof'), 'wall').some((x) => x.name === 'workBeforeExit'))
      })
    }

    it('the agent exporter: the fake agent accepts the upload and reads every profile', async () => {
      const agent = await FakeAgent.start()
      agents.push(agent)
      const r = await ddRun(['--exporters', 'agent', '-s', 'matrix', 'node', prof('alloc.js')], { env: env({ DD_TRACE_AGENT_URL: agent.url }) })
      assert.equal(r.code, 0, r.stderr)
      const [up] = await agent.waitForUploads(1)
      assert.match(up!.event.tags_profiler, new RegExp(`runtime_version:v${version.replace(/\./g, '\\.')}(,|$)`))
      // Profiles without a sample are left out of an upload (as dd-trace-js): events, blocks and exceptions may be.
      const parts = Object.keys(up!.profiles)
      for (const always of ['wall.pprof', 'space.pprof']) assert.ok(parts.includes(always), parts.join(', '))
      for (const p of parts) assert.ok(['wall.pprof', 'space.pprof', 'events.pprof', 'blocks.pprof', 'exceptions.pprof'].includes(p), p)
    })

    it('near out of memory: an on_oom heap profile names the leak, and the process dies as without dd-run', async () => {
      const out = tempDir()
      // The leak paced in time: oom-leak.js can fill the heap before the check is armed (see the fixture).
      const args = ['--max-old-space-size=48', prof('oom-leak-steady.js')]
      const r = await ddRun(['-q', '-o', out, 'node', ...args], { env: env(), timeoutMs: 120_000 })
      const bare = spawnSync(bin!, args, { encoding: 'utf8', env: cleanEnv() })
      assert.equal(r.signal, bare.signal, `dd-run ended with ${r.code}/${r.signal}, bare with ${bare.status}/${bare.signal}`)
      assert.equal(r.code, bare.status)
      assert.match(r.stderr, /JavaScript heap out of memory/)
      const oom = listBundles(out).filter((b) => b.tags.snapshot === 'on_oom')
      assert.equal(oom.length, 1, r.stderr)
      assertIntakeShapeOn(oom[0]!, `v${version}`)
      const topRows = pprofTop(oom[0]!.file('space.pprof'), 'inuse_space')
      assert.equal(topRows[0]?.name, 'leakSomeMore', JSON.stringify(topRows.slice(0, 3)))
    })

    it('dd-run doctor with this node on PATH: the Node.js check and the injection pass', async () => {
      const agent = await FakeAgent.start()
      agents.push(agent)
      const dir = tempDir()
      const r = await ddRun(['doctor'], { cwd: dir, env: env({ DD_TRACE_AGENT_URL: agent.url, DD_PROFILING_OUTPUT_DIR: path.join(dir, 'p') }), timeoutMs: 120_000 })
      assert.equal(r.code, 0, r.stdout + r.stderr)
      assert.match(r.stdout, new RegExp(`^ok +Node\\.js +v${version.replace(/\./g, '\\.')}`, 'm'))
      assert.match(r.stdout, /^ok +injection /m)
    })
  })
}
