// Finding and applying source maps (in the profiled process and at report time, one implementation): a
// sourceMappingURL file, an inline data: URL, a .map beside the file, and files without a map.
import assert from 'node:assert/strict'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { describe, it } from 'node:test'
import { SourceMaps } from '../../src/sourcemap/source-maps'
import { fixture } from '../helpers/paths'
import { tempDir } from '../helpers/run'

const js = fs.readFileSync(fixture('ts-app/hot.js'), 'utf8')
const map = fs.readFileSync(fixture('ts-app/hot.js.map'), 'utf8')
const lineOf = (text: string, needle: string): number => text.split('\n').findIndex((l) => l.includes(needle)) + 1
const jsLine = lineOf(js, 'function tsHotLoop(')
const tsLine = lineOf(fs.readFileSync(fixture('ts-app/hot.ts'), 'utf8'), 'function tsHotLoop(')

function mapped(file: string): ReturnType<SourceMaps['map']> {
  const maps = new SourceMaps()
  try {
    return maps.map(file, jsLine, 0)
  } finally {
    maps.destroy()
  }
}

describe('SourceMaps', () => {
  it('follows the sourceMappingURL comment to the .ts file and line', () => {
    assert.deepEqual(mapped(fixture('ts-app/hot.js')), { file: fixture('ts-app/hot.ts'), line: tsLine, column: 1, name: 'tsHotLoop' })
  })

  it('reads an inline data: URL map, and a .map beside a file without a comment', () => {
    const dir = tempDir()
    fs.copyFileSync(fixture('ts-app/hot.ts'), path.join(dir, 'hot.ts'))
    const inline = path.join(dir, 'inline.js')
    fs.writeFileSync(inline, js.replace(/\/\/# sourceMappingURL=.*$/m, `//# sourceMappingURL=data:application/json;charset=utf-8;base64,${Buffer.from(map).toString('base64')}`))
    assert.deepEqual(mapped(inline), { file: path.join(dir, 'hot.ts'), line: tsLine, column: 1, name: 'tsHotLoop' })
    const beside = path.join(dir, 'beside.js')
    fs.writeFileSync(beside, js.replace(/\/\/# sourceMappingURL=.*$/m, ''))
    fs.writeFileSync(beside + '.map', map)
    assert.deepEqual(mapped(beside), { file: path.join(dir, 'hot.ts'), line: tsLine, column: 1, name: 'tsHotLoop' })
  })

  it('leaves files without a map, missing files and non-files alone', () => {
    const dir = tempDir()
    const plain = path.join(dir, 'plain.js')
    fs.writeFileSync(plain, 'function f() {}\n')
    assert.equal(mapped(plain), undefined)
    assert.equal(mapped(path.join(dir, 'gone.js')), undefined)
    assert.equal(mapped('node:internal/timers'), undefined)
  })

  it('reports an unreadable map instead of throwing', () => {
    const dir = tempDir()
    const broken = path.join(dir, 'broken.js')
    fs.writeFileSync(broken, 'function f() {}\n//# sourceMappingURL=broken.js.map\n')
    fs.writeFileSync(path.join(dir, 'broken.js.map'), '{ not json')
    const maps = new SourceMaps()
    assert.equal(maps.map(broken, 1, 0), undefined)
    assert.match(maps.problems[0] ?? '', /broken\.js: source map unreadable/)
    maps.destroy()
  })
})
