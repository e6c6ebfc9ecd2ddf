// Source maps applied in the profiled process, before export: TypeScript run through tsx, Node's own type
// stripping and a minified bundle all carry the .ts file, line and function names in the profile itself, so every
// reader sees them (go tool pprof, Datadog, speedscope). `top --no-source-map` shows what the profile holds.
import assert from 'node:assert/strict'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { describe, it } from 'node:test'
import { buildSync } from 'esbuild'
import { fakeAgent } from '../helpers/fake-agent'
import { nodeBinary } from '../helpers/node-versions'
import { fixture, ROOT } from '../helpers/paths'
import { pprofRaw } from '../helpers/pprof'
import { listBundles } from '../helpers/profiles'
import { cleanEnv, ddRun, tempDir } from '../helpers/run'

interface TopJson {
  functions: { name: string; file: string; line: number }[]
}

const HOT_TS = fixture('sourcemap/hot.ts')

/** The 1-based line of the first line of `file` that contains `text`. */
function lineOf(file: string, text: string): number {
  const i = fs.readFileSync(file, 'utf8').split('\n').findIndex((l) => l.includes(text))
  assert.ok(i >= 0, `${text} not in ${file}`)
  return i + 1
}

const ARROW_LINE = lineOf(HOT_TS, 'const tsArrowLoop = (')
const HOT_LINE = lineOf(HOT_TS, 'function tsHotLoop(')

/** Profiles `command`, then checks the hot functions' .ts names and lines in top (unmapped) and in go tool pprof. */
async function expectMapped(command: string[], env: NodeJS.ProcessEnv = {}): Promise<void> {
  const dir = tempDir()
  const r = await ddRun(['-q', '-o', dir, ...command], { env: cleanEnv({ REPORT_HOT_MS: '1000', ...env }), timeoutMs: 60_000 })
  assert.equal(r.code, 0, r.stderr)
  const top = await ddRun(['top', dir, '--json', '--no-source-map', '-n', '10'], { env: cleanEnv() })
  assert.equal(top.code, 0, top.stderr)
  const fns = (JSON.parse(top.stdout) as TopJson).functions
  const arrow = fns.find((f) => f.name === 'tsArrowLoop')
  assert.ok(arrow, `tsArrowLoop is not among the top functions: ${JSON.stringify(fns.slice(0, 5))}`)
  assert.equal(arrow.file, HOT_TS)
  assert.equal(arrow.line, ARROW_LINE)
  assert.equal(fns[0]?.name, 'tsArrowLoop', 'the hot function is the first')
  const walls = listBundles(dir).filter((b) => b.event.attachments.includes('wall.pprof'))
  const raw = walls.map((b) => pprofRaw(b.file('wall.pprof'))).join('\n')
  assert.match(raw, new RegExp(` tsArrowLoop ${escape(HOT_TS)}:${ARROW_LINE} `))
  assert.match(raw, new RegExp(` tsHotLoop ${escape(HOT_TS)}:${HOT_LINE} `))
  assert.doesNotMatch(raw, /hot\.(min\.)?js:/, 'no generated location is left for the app')
  for (const b of walls) assert.equal(b.event.info.profiler.hasMissingSourceMaps, false)
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

describe('source maps in the profiled process', () => {
  it('tsx (its CLI): the .ts lines and the names esbuild wrapped in __name', async () => {
    await expectMapped([path.join(ROOT, 'node_modules', '.bin', 'tsx'), HOT_TS])
  })

  it('node --import tsx', async () => {
    await expectMapped(['node', '--import', 'tsx', HOT_TS])
  })

  it("Node's own type stripping (Node 24) keeps the .ts lines", async (t) => {
    const node = nodeBinary(24)
    if (!node) return t.skip('Node 24 is not installed here (scripts/install-node-versions.sh)')
    await expectMapped([node, HOT_TS])
  })

  it('a minified bundle with its map: original names and lines', async () => {
    const out = path.join(tempDir(), 'hot.min.js')
    buildSync({ entryPoints: [HOT_TS], bundle: true, minify: true, sourcemap: true, platform: 'node', outfile: out, logLevel: 'error' })
    assert.doesNotMatch(fs.readFileSync(out, 'utf8'), /tsArrowLoop/, 'the bundle is minified')
    await expectMapped(['node', out])
  })

  it('what the agent receives is mapped the same way (tsx through the agent exporter)', async () => {
    const agent = await fakeAgent()
    const r = await ddRun(['-q', 'node', '--import', 'tsx', HOT_TS], {
      env: cleanEnv({ REPORT_HOT_MS: '800', DD_PROFILING_EXPORTERS: 'agent', DD_TRACE_AGENT_URL: agent.url }),
      timeoutMs: 60_000,
    })
    assert.equal(r.code, 0, r.stderr)
    const [up] = await agent.waitForUploads(1)
    assert.ok(up)
    const raw = pprofRaw(agent.writeProfile(up, 'wall.pprof', tempDir()))
    assert.match(raw, new RegExp(` tsArrowLoop ${escape(HOT_TS)}:${ARROW_LINE} `))
    assert.equal((up.event.info as { profiler: { hasMissingSourceMaps: boolean } }).profiler.hasMissingSourceMaps, false)
  })

  it('the exceptions profile (built from stack text) is mapped too', async () => {
    const dir = tempDir()
    const src = fixture('sourcemap/boom.ts')
    const out = path.join(tempDir(), 'boom.js')
    buildSync({ entryPoints: [src], sourcemap: true, platform: 'node', format: 'cjs', outfile: out, logLevel: 'error' })
    const r = await ddRun(['-q', '-o', dir, 'node', out], { env: cleanEnv(), timeoutMs: 60_000 })
    assert.equal(r.code, 1, 'the uncaught exception ends the app as without dd-run')
    assert.match(r.stderr, /boom\.js:\d+/, "the app's own stack trace is untouched")
    const raw = listBundles(dir).filter((b) => b.event.attachments.includes('exceptions.pprof')).map((b) => pprofRaw(b.file('exceptions.pprof'))).join('\n')
    assert.match(raw, new RegExp(` failOrder ${escape(src)}:${lineOf(src, 'throw new TypeError')} `))
  })

  it('a map that is declared but missing: generated location, marked as dd-trace-js marks it', async () => {
    const dir = tempDir()
    const app = path.join(tempDir(), 'hot.js')
    fs.writeFileSync(app, `${fs.readFileSync(fixture('ts-app/hot.js'), 'utf8').replace(/\/\/# sourceMappingURL=.*/, '')}\n//# sourceMappingURL=gone.js.map\n`)
    const r = await ddRun(['-q', '-o', dir, 'node', app], { env: cleanEnv({ REPORT_HOT_MS: '600' }), timeoutMs: 60_000 })
    assert.equal(r.code, 0, r.stderr)
    const walls = listBundles(dir).filter((b) => b.event.attachments.includes('wall.pprof'))
    assert.ok(walls.length > 0)
    assert.ok(walls.some((b) => b.event.info.profiler.hasMissingSourceMaps === true), 'hasMissingSourceMaps in the event')
    const raw = walls.map((b) => pprofRaw(b.file('wall.pprof'))).join('\n')
    assert.match(raw, new RegExp(` tsHotLoop ${escape(app)}:\\d+`), 'the generated location stays')
  })

  it('DD_PROFILING_SOURCE_MAP=false: the profile keeps the generated locations', async () => {
    const dir = tempDir()
    const r = await ddRun(['-q', '-o', dir, 'node', fixture('ts-app/hot.js')], { env: cleanEnv({ REPORT_HOT_MS: '600', DD_PROFILING_SOURCE_MAP: 'false' }), timeoutMs: 60_000 })
    assert.equal(r.code, 0, r.stderr)
    const raw = listBundles(dir).filter((b) => b.event.attachments.includes('wall.pprof')).map((b) => pprofRaw(b.file('wall.pprof'))).join('\n')
    assert.match(raw, / tsHotLoop \S*ts-app\/hot\.js:\d+ /)
    assert.doesNotMatch(raw, /hot\.ts:/)
  })
})
