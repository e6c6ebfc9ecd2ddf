// TypeScript compiled in memory by the tools people run it with: jest (babel-jest and ts-jest, in band and in its
// worker processes), ts-node and @swc-node/register. Their maps exist only inline in the code they compile (the .ts
// file on disk has none); the profile itself must carry the .ts file and lines (read by go tool pprof), and so must
// `dd-run top` with its own mapping off. Real packages from npm, installed with their lock file in
// test/fixtures/transpilers by scripts/install-test-deps.sh.
import assert from 'node:assert/strict'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { describe, it, type TestContext } from 'node:test'
import { fixture } from '../helpers/paths'
import { pprofRaw } from '../helpers/pprof'
import { listBundles } from '../helpers/profiles'
import { cleanEnv, ddRun, tempDir } from '../helpers/run'

interface TopJson {
  functions: { name: string; file: string; line: number }[]
}

const APP = fixture('transpilers')
const HOT_TS = path.join(APP, 'src', 'hot.ts')

function lineOf(file: string, text: string): number {
  const i = fs.readFileSync(file, 'utf8').split('\n').findIndex((l) => l.includes(text))
  assert.ok(i >= 0, `${text} not in ${file}`)
  return i + 1
}

const ARROW_LINE = lineOf(HOT_TS, 'export const tsArrowLoop = (')
const HOT_LINE = lineOf(HOT_TS, 'export function tsHotLoop(')

function installed(t: TestContext): boolean {
  if (fs.existsSync(path.join(APP, 'node_modules', '.installed-lock.json'))) return true
  t.skip('test/fixtures/transpilers is not installed (bash scripts/install-test-deps.sh)')
  return false
}

/** Profiles `command` in the fixture's folder, then checks the hot functions' .ts file and lines. */
async function expectMapped(command: string[], inWorker = false): Promise<void> {
  // Not asserted here: hasMissingSourceMaps (typescript.js declares a map its package does not ship).
  const dir = tempDir()
  const r = await ddRun(['-q', '-o', dir, ...command], { cwd: APP, env: cleanEnv({ REPORT_HOT_MS: '1200' }), timeoutMs: 120_000 })
  assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`)
  const top = await ddRun(['top', dir, '--json', '--no-source-map', '-n', '30'], { env: cleanEnv() })
  assert.equal(top.code, 0, top.stderr)
  const fns = (JSON.parse(top.stdout) as TopJson).functions
  const arrow = fns.find((f) => f.name === 'tsArrowLoop')
  assert.ok(arrow, `tsArrowLoop is not among the top functions: ${JSON.stringify(fns.slice(0, 8))}`)
  assert.deepEqual({ file: arrow.file, line: arrow.line }, { file: HOT_TS, line: ARROW_LINE })
  const walls = listBundles(dir).filter((b) => b.event.attachments.includes('wall.pprof'))
  const raw = walls.map((b) => pprofRaw(b.file('wall.pprof'))).join('\n')
  const at = (name: string): number[] => [...raw.matchAll(new RegExp(` ${name} (\\S+):(\\d+) `, 'g'))].map((m) => (m[1] === HOT_TS ? Number(m[2]) : -1))
  assert.ok(at('tsArrowLoop').length > 0, 'tsArrowLoop is in the profile')
  assert.deepEqual([...new Set(at('tsArrowLoop'))], [ARROW_LINE], 'every tsArrowLoop frame at its .ts line')
  assert.deepEqual([...new Set(at('tsHotLoop'))], [HOT_LINE], 'every tsHotLoop frame at its .ts line')
  if (inWorker) {
    // The tests ran in jest's worker processes (children of the jest process): their profiles are mapped.
    const children = walls.filter((b) => /-child-/.test(path.basename(path.dirname(b.dir))))
    assert.ok(children.some((b) => / tsArrowLoop /.test(pprofRaw(b.file('wall.pprof')))), `tsArrowLoop in a worker's profile: ${walls.map((b) => b.dir).join(', ')}`)
  }
}

describe('TypeScript compiled in memory by jest, ts-node and @swc-node/register', () => {
  it('jest with babel-jest, --runInBand (npx jest)', async (t) => {
    if (!installed(t)) return
    await expectMapped(['npx', 'jest', '-c', 'jest.babel.config.js', '--runInBand', '--cacheDirectory', tempDir(), 'src/hot.test.ts'])
  })

  it('jest with ts-jest, two test files in two worker processes', async (t) => {
    if (!installed(t)) return
    await expectMapped(['npx', 'jest', '-c', 'jest.ts-jest.config.js', '--maxWorkers=2', '--cacheDirectory', tempDir()], true)
  })

  it('node -r ts-node/register', async (t) => {
    if (!installed(t)) return
    await expectMapped(['node', '-r', 'ts-node/register', 'src/main.ts'])
  })

  it('node -r @swc-node/register', async (t) => {
    if (!installed(t)) return
    await expectMapped(['node', '-r', '@swc-node/register', 'src/main.ts'])
  })
})
