// The inline maps of code compiled in memory (jest's transforms, ts-node, @swc-node/register): read from the code's
// last line, kept as bytes within a budget, looked up by the file name the code was compiled under, and stale once
// the file is compiled again with another map.
import assert from 'node:assert/strict'
import * as fs from 'node:fs'
import * as path from 'node:path'
import * as vm from 'node:vm'
import { describe, it } from 'node:test'
import { CompiledCode, compiledCode, setCompiledCode, trailingMappingUrl } from '../../src/sourcemap/compiled'
import { HOOKS_FILE, usesRequireHook, watchCompiledCode } from '../../src/sourcemap/compile-hooks'
import { SourceMaps } from '../../src/sourcemap/source-maps'
import { fixture } from '../helpers/paths'
import { tempDir } from '../helpers/run'

const js = fs.readFileSync(fixture('ts-app/hot.js'), 'utf8')
const map = fs.readFileSync(fixture('ts-app/hot.js.map'), 'utf8')
const lineOf = (text: string, needle: string): number => text.split('\n').findIndex((l) => l.includes(needle)) + 1
const jsLine = lineOf(js, 'function tsHotLoop(')
const tsLine = lineOf(fs.readFileSync(fixture('ts-app/hot.ts'), 'utf8'), 'function tsHotLoop(')
const dataUrl = (m: string): string => `data:application/json;charset=utf-8;base64,${Buffer.from(m).toString('base64')}`
/** The fixture's JavaScript with its map inline, as a transform hands it to V8. */
const inlined = (m = map): string => `${js.replace(/\/\/# sourceMappingURL=.*$/m, '')}\n//# sourceMappingURL=${dataUrl(m)}\n`

describe('trailingMappingUrl', () => {
  it('reads the comment on the last non-blank line only', () => {
    assert.equal(trailingMappingUrl('x()\n//# sourceMappingURL=data:abc\n\n  '), 'data:abc')
    assert.equal(trailingMappingUrl('x()\r\n//@ sourceMappingURL=a.js.map\r\n'), 'a.js.map')
    assert.equal(trailingMappingUrl('//# sourceMappingURL=data:abc\nx()\n'), undefined)
    assert.equal(trailingMappingUrl("s = '//# sourceMappingURL=data:abc'"), undefined)
    assert.equal(trailingMappingUrl(''), undefined)
  })
})

describe('CompiledCode', () => {
  it('keeps data: URLs only, and forgets a file compiled again without one', () => {
    const c = new CompiledCode()
    c.note('/a.ts', 'a.js.map')
    assert.equal(c.get('/a.ts'), undefined)
    c.note('/a.ts', 'data:x')
    assert.equal(String(c.get('/a.ts')?.url), 'data:x')
    c.note('/a.ts', undefined)
    assert.equal(c.get('/a.ts'), undefined)
    assert.equal(c.heldBytes, 0)
  })

  it('the same map again keeps its generation; another map starts a new one', () => {
    const c = new CompiledCode()
    c.note('/a.ts', 'data:x')
    const seq = c.seqOf('/a.ts')
    c.note('/a.ts', 'data:x')
    assert.equal(c.seqOf('/a.ts'), seq)
    c.note('/a.ts', 'data:y')
    assert.notEqual(c.seqOf('/a.ts'), seq)
    assert.equal(c.heldBytes, 'data:y'.length)
  })

  it('stays within its budget: the oldest are dropped (and remembered as dropped), a URL too long is not copied', () => {
    const c = new CompiledCode({ maxBytes: 100, maxFiles: 3, maxUrlBytes: 60 })
    c.note('/1.ts', `data:${'1'.repeat(40)}`)
    c.note('/2.ts', `data:${'2'.repeat(40)}`)
    c.note('/3.ts', `data:${'3'.repeat(40)}`)
    assert.equal(c.get('/1.ts')?.url, 'dropped')
    assert.ok(c.heldBytes <= 100)
    c.note('/4.ts', `data:${'4'.repeat(80)}`)
    assert.equal(c.get('/4.ts')?.url, 'too large')
    assert.equal(c.size, 3, 'at most maxFiles files')
    assert.equal(c.get('/1.ts'), undefined)
  })
})

describe('in-memory maps through SourceMaps', () => {
  it('maps a file whose code was compiled in memory with an inline map; stale after another compilation', () => {
    const dir = tempDir()
    const ts = path.join(dir, 'hot.ts')
    fs.copyFileSync(fixture('ts-app/hot.ts'), ts)
    const before = compiledCode()
    const notes = new CompiledCode()
    setCompiledCode(notes)
    const maps = new SourceMaps()
    try {
      assert.equal(maps.map(ts, jsLine, 0), undefined, 'the .ts file on disk has no map')
      notes.note(ts, trailingMappingUrl(inlined(JSON.stringify({ ...JSON.parse(map), sources: ['hot.ts'] }))))
      assert.deepEqual(maps.map(ts, jsLine, 0), { file: ts, line: tsLine, column: 1 })
      // Compiled again, now with a map that says the function is elsewhere.
      const moved = JSON.parse(map) as { mappings: string; sources: string[] }
      notes.note(ts, trailingMappingUrl(inlined(JSON.stringify({ ...moved, sources: ['other.ts'] }))))
      assert.equal(maps.map(ts, jsLine, 0)?.file, path.join(dir, 'other.ts'))
    } finally {
      maps.destroy()
      setCompiledCode(before)
    }
  })

  it('Module._compile is wrapped only in a process started with a require hook that compiles from a string', () => {
    assert.equal(usesRequireHook(['-r', 'ts-node/register'], undefined, '/app/src/main.ts'), true)
    assert.equal(usesRequireHook(['--require=@swc-node/register'], undefined, '/app/main.ts'), true)
    assert.equal(usesRequireHook([], '--require @babel/register --max-old-space-size=100', '/app/main.js'), true)
    assert.equal(usesRequireHook([], undefined, '/app/node_modules/.bin/ts-node'), true)
    assert.equal(usesRequireHook([], undefined, '/app/node_modules/ts-node/dist/bin.js'), true)
    assert.equal(usesRequireHook(['--import', 'tsx'], '--require /opt/dd-run/dist/preload/index.js', '/app/main.ts'), false)
    assert.equal(usesRequireHook([], undefined, '/app/ts-node-helpers/main.js'), false)
    assert.equal(usesRequireHook(['-r', './ts-node-shim.js'], undefined, '/app/main.js'), false)
  })

  it('the hooks note what vm.compileFunction and vm.Script compile, and change nothing else', () => {
    assert.equal(watchCompiledCode(), true)
    assert.equal(watchCompiledCode(), true, 'once per thread')
    const notes = compiledCode()
    assert.ok(notes)
    const code = inlined()
    const fn = vm.compileFunction(code, ['exports'], { filename: '/jest30/hot.ts' })
    assert.equal(typeof fn, 'function')
    assert.ok(notes.get('/jest30/hot.ts'))
    const wrapped = `({"Object.<anonymous>":function(exports){${code}\n}});`
    const script = new vm.Script(wrapped, { filename: '/jest29/hot.ts' })
    assert.ok(script instanceof vm.Script)
    const BaseScript = Object.getPrototypeOf(vm.Script) as typeof vm.Script
    assert.ok(new BaseScript('1') instanceof vm.Script, "a script of Node's own class is still a vm.Script")
    assert.equal(new vm.Script('6 * 7').runInThisContext(), 42)
    assert.ok(notes.get('/jest29/hot.ts'), 'the comment inside the wrapper is found (V8 reads it)')
    // No require hook on this process's command line: Module._compile stays Node's, so module loading shows no
    // dd-run frame in stack traces.
    const Module = require('node:module') as { prototype: { _compile: { toString(): string } } }
    assert.doesNotMatch(Module.prototype._compile.toString(), /noteModule/)
    // A syntax error still comes from V8, with the wrapper's frame named as dd-run's.
    const err = (() => {
      try {
        vm.compileFunction('x = (', [], { filename: '/bad.js' })
      } catch (e) {
        return e as Error
      }
      return undefined
    })()
    assert.ok(err instanceof SyntaxError)
    assert.match(err.stack ?? '', new RegExp(HOOKS_FILE))
  })
})
