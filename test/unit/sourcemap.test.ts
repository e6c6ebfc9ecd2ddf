// Finding and applying source maps (in the profiled process and at report time, one implementation): a
// sourceMappingURL file, an inline data: URL, a .map beside the file, and files without a map.
import assert from 'node:assert/strict'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { describe, it } from 'node:test'
import { IN_PROCESS, SourceMaps } from '../../src/sourcemap/source-maps'
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
    assert.deepEqual(mapped(fixture('ts-app/hot.js')), { file: fixture('ts-app/hot.ts'), line: tsLine, column: 1 })
  })

  it('reads an inline data: URL map, and a .map beside a file without a comment', () => {
    const dir = tempDir()
    fs.copyFileSync(fixture('ts-app/hot.ts'), path.join(dir, 'hot.ts'))
    const inline = path.join(dir, 'inline.js')
    fs.writeFileSync(inline, js.replace(/\/\/# sourceMappingURL=.*$/m, `//# sourceMappingURL=data:application/json;charset=utf-8;base64,${Buffer.from(map).toString('base64')}`))
    assert.deepEqual(mapped(inline), { file: path.join(dir, 'hot.ts'), line: tsLine, column: 1 })
    const beside = path.join(dir, 'beside.js')
    fs.writeFileSync(beside, js.replace(/\/\/# sourceMappingURL=.*$/m, ''))
    fs.writeFileSync(beside + '.map', map)
    assert.deepEqual(mapped(beside), { file: path.join(dir, 'hot.ts'), line: tsLine, column: 1 })
  })

  it("names an anonymous function after its binding in the original source (esbuild's __name, minified code)", () => {
    const dir = tempDir()
    const src = path.join(dir, 'app.ts')
    fs.writeFileSync(src, 'const first = 1\nexport const handler = async (req: Req) => {\n  return req\n}\n')
    const gen = path.join(dir, 'app.js')
    fs.writeFileSync(gen, 'var a=async e=>e;\n//# sourceMappingURL=app.js.map\n')
    // a (0-based col 2) <- handler at 2:13; the arrow (col 8) <- `async (` at 2:23, its parameter e (col 14) <- req.
    const map = { version: 3, sources: ['app.ts'], names: ['handler', 'req'], mappings: 'AACaA,MAAU,MAAOC' }
    fs.writeFileSync(gen + '.map', JSON.stringify(map))
    const maps = new SourceMaps()
    const at = maps.map(gen, 1, 9)
    assert.equal(at?.file, src)
    assert.equal(at?.line, 2)
    assert.equal(at?.name, 'handler')
    assert.equal(maps.mappingInfo({ file: gen, line: 1, column: 9, name: '' }).name, 'handler')
    assert.equal(maps.mappingInfo({ file: gen, line: 1, column: 9, name: 'a' }).name, 'handler', 'the original name wins over a minified one')
  })

  it('marks a frame whose declared map is missing, keeping its generated location', () => {
    const dir = tempDir()
    const gen = path.join(dir, 'gone.js')
    fs.writeFileSync(gen, 'function f() {}\n//# sourceMappingURL=gone.js.map\n')
    const maps = new SourceMaps()
    assert.deepEqual(maps.mappingInfo({ file: gen, line: 1, column: 10, name: 'f' }), { file: gen, line: 1, column: 10, name: 'f', missingMapFile: true })
    assert.equal(maps.sawMissing, true)
  })

  it('in the process, a map over the size limit is not loaded: the frame is marked for the backend instead', () => {
    const maps = new SourceMaps(() => false, { ...IN_PROCESS, maxMapBytes: 100 })
    const file = fixture('ts-app/hot.js')
    assert.deepEqual(maps.mappingInfo({ file, line: jsLine, column: 1, name: 'tsHotLoop' }), { file, line: jsLine, column: 1, name: 'tsHotLoop', missingMapFile: true })
    assert.equal(maps.heldBytes, 0)
    assert.match(maps.problems[0] ?? '', /larger than/)
  })

  it('keeps the maps it parsed within its byte budget, the least recently used dropped first', () => {
    const dir = tempDir()
    const files = [1, 2, 3].map((i) => {
      const f = path.join(dir, `c${i}.js`)
      fs.writeFileSync(f, js.replace(/\/\/# sourceMappingURL=.*$/m, ''))
      fs.writeFileSync(f + '.map', map)
      return f
    })
    const maps = new SourceMaps(() => false, { maxMapBytes: map.length, maxTotalBytes: map.length * 2, maxScripts: 100 })
    for (const f of files) assert.equal(maps.map(f, jsLine, 0)?.line, tsLine)
    assert.ok(maps.heldBytes <= map.length * 2, `${maps.heldBytes} bytes held`)
    assert.equal(maps.size, 2)
  })

  it('never maps the profiler\'s own scripts, and keeps a bounded cache', () => {
    const maps = new SourceMaps(() => true)
    assert.equal(maps.map(fixture('ts-app/hot.js'), jsLine, 0), undefined)
    assert.equal(maps.heldBytes, 0)
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
