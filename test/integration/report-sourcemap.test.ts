// Source maps at report time, for profiles recorded without mapping in the process (DD_PROFILING_SOURCE_MAP=false
// in the app, or an older dd-run): a TypeScript app compiled with sourceMap shows its .ts file and line in `top`,
// and DD_PROFILING_SOURCE_MAP=false or --no-source-map shows the generated .js location instead.
import assert from 'node:assert/strict'
import * as fs from 'node:fs'
import { before, describe, it } from 'node:test'
import { fixture } from '../helpers/paths'
import { profileRun } from '../helpers/report'
import { cleanEnv, ddRun, tempDir } from '../helpers/run'

interface TopJson {
  functions: { name: string; file: string; line: number; location: string }[]
}

/** The 1-based line of the first line of `file` that contains `text`. */
function lineOf(file: string, text: string): number {
  const i = fs.readFileSync(file, 'utf8').split('\n').findIndex((l) => l.includes(text))
  assert.ok(i >= 0, `${text} not in ${file}`)
  return i + 1
}

describe('source maps in top', () => {
  const dir = tempDir()
  const tsLine = lineOf(fixture('ts-app/hot.ts'), 'function tsHotLoop(')
  const jsLine = lineOf(fixture('ts-app/hot.js'), 'function tsHotLoop(')
  before(async () => {
    assert.notEqual(tsLine, jsLine, 'the fixture must put the function on different lines in .ts and .js')
    await profileRun(dir, [fixture('ts-app/hot.js')], { DD_PROFILING_SOURCE_MAP: 'false' })
  })

  it('shows the .ts file and line of the hot function', async () => {
    const r = await ddRun(['top', dir, '--json'], { env: cleanEnv() })
    assert.equal(r.code, 0, r.stderr)
    const top = JSON.parse(r.stdout) as TopJson
    const hot = top.functions[0]
    assert.equal(hot?.name, 'tsHotLoop', JSON.stringify(top.functions.slice(0, 3)))
    assert.equal(hot?.file, fixture('ts-app/hot.ts'))
    assert.equal(hot?.line, tsLine)
    const table = await ddRun(['top', dir, '-n', '3'], { env: cleanEnv() })
    assert.match(table.stdout, new RegExp(`tsHotLoop\\s+\\S*hot\\.ts:${tsLine}\\n`))
  })

  it('DD_PROFILING_SOURCE_MAP=false and --no-source-map show the generated location', async () => {
    for (const [args, env] of [[['--no-source-map'], {}], [[], { DD_PROFILING_SOURCE_MAP: 'false' }]] as const) {
      const r = await ddRun(['top', dir, '--json', ...args], { env: cleanEnv(env) })
      assert.equal(r.code, 0, r.stderr)
      const hot = (JSON.parse(r.stdout) as TopJson).functions[0]
      assert.equal(hot?.file, fixture('ts-app/hot.js'))
      assert.equal(hot?.line, jsLine)
    }
  })
})
