// Finding and applying source maps at report time: a sourceMappingURL file, an inline data: URL, a .map beside the
// file, and files without a map.
import assert from 'node:assert/strict'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { describe, it } from 'node:test'
import { SourceMaps } from '../../src/report/sourcemap'
import { fixture } from '../helpers/paths'
import { tempDir } from '../helpers/run'

const js = fs.readFileSync(fixture('ts-app/hot.js'), 'utf8')
const map = fs.readFileSync(fixture('ts-app/hot.js.map'), 'utf8')
const lineOf = (text: string, needle: string): number => text.split('\n').findIndex((l) => l.includes(needle)) + 1
const jsLine = lineOf(js, 'function tsHotLoop(')
const tsLine = lineOf(fs.readFileSync(fixture('ts-app/hot.ts'), 'utf8'), 'function tsHotLoop(')

async function mapped(file: string): Promise<ReturnType<SourceMaps['map']>> {
  const maps = new SourceMaps()
  try {
    await maps.prepare([file])
    return maps.map(file, jsLine, 0)
  } finally {
    maps.destroy()
  }
}

describe('SourceMaps', () => {
  it('follows the sourceMappingURL comment to the .ts file and line', async () => {
    assert.deepEqual(await mapped(fixture('ts-app/hot.js')), { file: fixture('ts-app/hot.ts'), line: tsLine, column: 1 })
  })

  it('reads an inline data: URL map, and a .map beside a file without a comment', async () => {
    const dir = tempDir()
    fs.copyFileSync(fixture('ts-app/hot.ts'), path.join(dir, 'hot.ts'))
    const inline = path.join(dir, 'inline.js')
    fs.writeFileSync(inline, js.replace(/\/\/# sourceMappingURL=.*$/m, `//# sourceMappingURL=data:application/json;charset=utf-8;base64,${Buffer.from(map).toString('base64')}`))
    assert.deepEqual(await mapped(inline), { file: path.join(dir, 'hot.ts'), line: tsLine, column: 1 })
    const beside = path.join(dir, 'beside.js')
    fs.writeFileSync(beside, js.replace(/\/\/# sourceMappingURL=.*$/m, ''))
    fs.writeFileSync(beside + '.map', map)
    assert.deepEqual(await mapped(beside), { file: path.join(dir, 'hot.ts'), line: tsLine, column: 1 })
  })

  it('leaves files without a map, missing files and non-files alone', async () => {
    const dir = tempDir()
    const plain = path.join(dir, 'plain.js')
    fs.writeFileSync(plain, 'function f() {}\n')
    assert.equal(await mapped(plain), undefined)
    assert.equal(await mapped(path.join(dir, 'gone.js')), undefined)
    assert.equal(await mapped('node:internal/timers'), undefined)
  })

  it('reports an unreadable map instead of throwing', async () => {
    const dir = tempDir()
    const broken = path.join(dir, 'broken.js')
    fs.writeFileSync(broken, 'function f() {}\n//# sourceMappingURL=broken.js.map\n')
    fs.writeFileSync(path.join(dir, 'broken.js.map'), '{ not json')
    const maps = new SourceMaps()
    await maps.prepare([broken])
    assert.equal(maps.map(broken, 1, 0), undefined)
    assert.match(maps.problems[0] ?? '', /broken\.js: source map unreadable/)
    maps.destroy()
  })
})
