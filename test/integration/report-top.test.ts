// dd-run top and dd-run diff on profiles of real fixture runs through dd-run: the known hot function ranks first,
// the shares add up, and go tool pprof agrees on the hottest function.
import assert from 'node:assert/strict'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { before, describe, it } from 'node:test'
import { fixture } from '../helpers/paths'
import { pprofTop } from '../helpers/pprof'
import { copyInto, profileRun } from '../helpers/report'
import { cleanEnv, ddRun, tempDir } from '../helpers/run'

interface TopJson {
  type: string
  total: number
  profiles: number
  processes: number
  functions: { name: string; location: string; self: number; selfShare: number; total: number; totalShare: number }[]
}
interface DiffJson {
  before: string
  after: string
  functions: { name: string; beforeShare: number; afterShare: number; delta: number }[]
}

const sum = (xs: number[]): number => xs.reduce((s, x) => s + x, 0)

describe('dd-run top and diff on real profiles', () => {
  // Made here, not in the hook: tempDir removes the directory when its scope ends.
  const hotDir = tempDir()
  const swapDir = tempDir()
  let hotRun = ''
  let swapRun = ''
  before(async () => {
    // Both runs at once: the machine has 2 cores and the fixture is single-threaded.
    ;[hotRun, swapRun] = await Promise.all([profileRun(hotDir, [fixture('report-hot.js')]), profileRun(swapDir, [fixture('report-hot.js'), 'swap'])])
  })

  it('top ranks the hot function first for CPU, and the self shares add up to 100%', async () => {
    const r = await ddRun(['top', hotDir, '--json', '-n', '0'], { env: cleanEnv() })
    assert.equal(r.code, 0, r.stderr)
    const top = JSON.parse(r.stdout) as TopJson
    assert.equal(top.type, 'cpu')
    assert.equal(top.processes, 1)
    assert.equal(top.functions[0]?.name, 'hotSpin', JSON.stringify(top.functions.slice(0, 5)))
    assert.match(top.functions[0]?.location ?? '', /report-hot\.js:\d+$/)
    const warm = top.functions.find((f) => f.name === 'warmSpin')
    assert.ok(warm && (top.functions[0]?.self ?? 0) > 2 * warm.self, 'hotSpin runs 4x as long as warmSpin')
    assert.ok(Math.abs(sum(top.functions.map((f) => f.selfShare)) - 100) < 0.01)
    assert.equal(sum(top.functions.map((f) => f.self)), top.total)
    for (const f of top.functions) assert.ok(f.total >= f.self && f.totalShare <= 100.0001, JSON.stringify(f))
  })

  it('go tool pprof reads the same file and agrees on the hottest function', () => {
    const wall = findFile(hotDir, 'wall.pprof')
    const rows = pprofTop(wall, 'cpu')
    assert.equal(rows[0]?.name, 'hotSpin', JSON.stringify(rows.slice(0, 3)))
  })

  it('prints a table that fits 80 columns, readable without colour', async () => {
    const r = await ddRun(['top', hotDir], { env: cleanEnv() })
    assert.equal(r.code, 0, r.stderr)
    const lines = r.stdout.trimEnd().split('\n')
    assert.match(lines[0] ?? '', /^CPU time: .* in all, 1 profile from 1 process$/)
    assert.match(lines[1] ?? '', /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d to .* UTC$/)
    assert.match(lines[3] ?? '', /^self%\s+self\s+total%\s+total\s+function\s+location$/)
    assert.match(lines[4] ?? '', /^\s*\d+\.\d%\s+\S+ m?s\s+\d+\.\d%\s+\S+ m?s\s+hotSpin\s+\S*report-hot\.js:\d+$/)
    for (const line of lines) assert.ok(line.length <= 80, `longer than 80: ${JSON.stringify(line)}`)
    assert.doesNotMatch(r.stdout, /\x1b\[/)
    const all = JSON.parse((await ddRun(['top', hotDir, '--json', '-n', '0'], { env: cleanEnv() })).stdout) as TopJson
    assert.equal(lines.length, 4 + Math.min(20, all.functions.length), 'two header lines, a blank, column titles and at most 20 rows by default')
  })

  it('--type space ranks the allocating function first, --type wall works too', async () => {
    const space = JSON.parse((await ddRun(['top', hotDir, '--type', 'space', '--json'], { env: cleanEnv() })).stdout) as TopJson
    assert.equal(space.functions[0]?.name, 'keepAllocating', JSON.stringify(space.functions.slice(0, 3)))
    const wall = JSON.parse((await ddRun(['top', hotDir, '--type', 'wall', '--json', '-n', '3'], { env: cleanEnv() })).stdout) as TopJson
    assert.equal(wall.functions.length, 3)
    assert.ok(wall.functions.some((f) => f.name === 'hotSpin'))
  })

  it('filters: --pid of another process and --role finds nothing (exit 1, one clear line)', async () => {
    const r = await ddRun(['top', hotDir, '--pid', '1'], { env: cleanEnv() })
    assert.equal(r.code, 1)
    assert.match(r.stderr, /^dd-run: no profiles matching pid 1 in .+/)
    const worker = await ddRun(['top', hotDir, '--role', 'cluster_worker'], { env: cleanEnv() })
    assert.equal(worker.code, 1)
    const main = await ddRun(['top', hotDir, '--role', 'main', '--service', 'report-test', '--since', '1h', '--json'], { env: cleanEnv() })
    assert.equal(main.code, 0, main.stderr)
    assert.equal((JSON.parse(main.stdout) as TopJson).profiles, 1)
  })

  it('bad usage exits 2 naming the option, the value and what was expected', async () => {
    const bad = await ddRun(['top', hotDir, '--type', 'heap'], { env: cleanEnv() })
    assert.equal(bad.code, 2)
    assert.equal(bad.stderr.trim(), 'dd-run: --type "heap": expected cpu, wall, space, alloc, events, blocks or exceptions')
    const since = await ddRun(['top', hotDir, '--since', 'yesterday'], { env: cleanEnv() })
    assert.equal(since.code, 2)
    assert.match(since.stderr, /--since "yesterday": expected an ISO 8601 time/)
    const n = await ddRun(['top', hotDir, '-n', 'ten'], { env: cleanEnv() })
    assert.equal(n.code, 2)
  })

  it('an empty or missing directory exits 1 with a message saying where it looked', async () => {
    const empty = tempDir()
    const r = await ddRun(['top', empty], { env: cleanEnv() })
    assert.equal(r.code, 1)
    assert.equal(r.stdout, '')
    assert.ok(r.stderr.includes(`dd-run: no profiles in ${empty}`), r.stderr)
    // With no dir: DD_PROFILING_OUTPUT_DIR, resolved against the working directory.
    const viaEnv = await ddRun(['top', '--json'], { env: cleanEnv({ DD_PROFILING_OUTPUT_DIR: hotDir }) })
    assert.equal(viaEnv.code, 0, viaEnv.stderr)
  })

  it('diff lists the function that grew and the one that shrank, and the shares add up', async () => {
    const r = await ddRun(['diff', hotDir, swapDir, '--json', '-n', '0'], { env: cleanEnv() })
    assert.equal(r.code, 0, r.stderr)
    const d = JSON.parse(r.stdout) as DiffJson
    assert.equal(d.functions[0]?.name, 'warmSpin', JSON.stringify(d.functions.slice(0, 3)))
    assert.equal(d.functions[d.functions.length - 1]?.name, 'hotSpin')
    assert.ok(Math.abs(sum(d.functions.map((f) => f.beforeShare)) - 100) < 0.01)
    assert.ok(Math.abs(sum(d.functions.map((f) => f.afterShare)) - 100) < 0.01)
    assert.ok(Math.abs(sum(d.functions.map((f) => f.delta))) < 0.01)
    for (const f of d.functions) assert.ok(Math.abs(f.afterShare - f.beforeShare - f.delta) < 1e-9)

    const text = await ddRun(['diff', hotDir, swapDir], { env: cleanEnv() })
    assert.equal(text.code, 0, text.stderr)
    const grew = text.stdout.slice(text.stdout.indexOf('Grew:'), text.stdout.indexOf('Shrank:'))
    const shrank = text.stdout.slice(text.stdout.indexOf('Shrank:'))
    assert.match(grew.split('\n')[2] ?? '', /^\s*\+\d+\.\d pt\s.*warmSpin/)
    assert.match(shrank.split('\n')[2] ?? '', /^\s*-\d+\.\d pt\s.*hotSpin/)
    for (const line of text.stdout.split('\n')) assert.ok(line.length <= 80, `longer than 80: ${JSON.stringify(line)}`)
  })

  it('diff compares two runs of one directory by run id, and writes a differential page with --html', async () => {
    const both = tempDir()
    copyInto(hotDir, both)
    copyInto(swapDir, both)
    const page = path.join(tempDir(), 'diff.html')
    const r = await ddRun(['diff', hotRun.slice(0, 8), swapRun, '--dir', both, '--json', '--html', page], { env: cleanEnv() })
    assert.equal(r.code, 0, r.stderr)
    const d = JSON.parse(r.stdout) as DiffJson
    assert.equal(d.before, `run ${hotRun.slice(0, 8)}`)
    assert.equal(d.functions[0]?.name, 'warmSpin')
    const html = fs.readFileSync(page, 'utf8')
    assert.match(html, /"mode":"diff"/)
    assert.match(html, /differentialColorMapper/)
    const missing = await ddRun(['diff', 'deadbeef', swapRun, '--dir', both], { env: cleanEnv() })
    assert.equal(missing.code, 1)
    assert.match(missing.stderr, /"deadbeef" is neither a directory nor a run id found in /)
  })
})

function findFile(dir: string, name: string): string {
  for (const e of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile() && e.name === name) return path.join(e.parentPath, e.name)
  }
  throw new Error(`no ${name} under ${dir}`)
}
