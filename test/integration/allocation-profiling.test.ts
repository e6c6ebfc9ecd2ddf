// Allocation profiling (Node >= 26, DD_PROFILING_ALLOCATION_ENABLED, on by default): the space profile carries
// alloc_objects and alloc_space beside inuse_objects and inuse_space, and `dd-run top --type alloc` and the report
// read them. The program runs on the version matrix's Node 26 and 24 (scripts/install-node-versions.sh).
import assert from 'node:assert/strict'
import * as path from 'node:path'
import { describe, it } from 'node:test'
import { nodeBinary, withNodeOnPath } from '../helpers/node-versions'
import { fixture } from '../helpers/paths'
import { pprofRaw, pprofTop } from '../helpers/pprof'
import { listBundles } from '../helpers/profiles'
import { cleanEnv, ddRun, tempDir } from '../helpers/run'

const app = fixture(path.join('profiling', 'alloc-churn.js'))
const node26 = nodeBinary(26)
const node24 = nodeBinary(24)
const sampleTypes = (file: string) => /^(\S+\/\S+(?: +\S+\/\S+)*)\s*$/m.exec(pprofRaw(file).split('Samples:\n')[1] ?? '')?.[1]?.split(/ +/)

async function profileOn(bin: string, extra: NodeJS.ProcessEnv = {}) {
  const out = tempDir()
  const r = await ddRun(['-q', '-o', out, 'node', app], { env: withNodeOnPath(bin, cleanEnv(extra)) })
  assert.equal(r.code, 0, r.stderr)
  assert.equal(r.stdout, 'kept 500\n')
  const bundles = listBundles(out)
  assert.equal(bundles.length, 1, r.stderr)
  return { out, space: bundles[0]!.file('space.pprof') }
}

describe('allocation profiling', () => {
  it('on Node 26: alloc_* beside inuse_*, the garbage maker on top of the allocations, top --type alloc shows it', { skip: !node26 && 'Node 26 is not installed' }, async () => {
    const { out, space } = await profileOn(node26!)
    assert.deepEqual(sampleTypes(space), ['inuse_objects/count', 'alloc_objects/count', 'inuse_space/bytes', 'alloc_space/bytes'])
    assert.equal(pprofTop(space, 'alloc_space')[0]?.name, 'makeGarbage')
    assert.ok(pprofTop(space, 'inuse_space').some((x) => x.name === 'keepSome'), 'keepSome holds the heap in use')
    const top = await ddRun(['top', out, '--type', 'alloc', '-n', '3'], { env: cleanEnv() })
    assert.equal(top.code, 0, top.stderr)
    assert.match(top.stdout, /^Allocated: [\d.]+ MiB in all, 1 profile from 1 process$/m)
    assert.match(top.stdout, /makeGarbage +\S*alloc-churn\.js:8/)
  })

  it('on Node 26 with DD_PROFILING_ALLOCATION_ENABLED=false: the heap in use only', { skip: !node26 && 'Node 26 is not installed' }, async () => {
    const { space } = await profileOn(node26!, { DD_PROFILING_ALLOCATION_ENABLED: 'false' })
    assert.deepEqual(sampleTypes(space), ['inuse_objects/count', 'inuse_space/bytes'])
  })

  it('on Node 24: the heap in use only, and top --type alloc says where allocations come from', { skip: !node24 && 'Node 24 is not installed' }, async () => {
    const { out, space } = await profileOn(node24!)
    assert.deepEqual(sampleTypes(space), ['inuse_objects/count', 'inuse_space/bytes'])
    const top = await ddRun(['top', out, '--type', 'alloc'], { env: cleanEnv() })
    assert.notEqual(top.code, 0)
    assert.match(top.stderr, /no allocated samples in 1 profiles .*allocation samples come from programs on Node 26 or newer, with DD_PROFILING_ALLOCATION_ENABLED/)
  })
})
