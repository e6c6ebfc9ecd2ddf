// The preload finds @datadog/pprof's addon without node-gyp-build's lookup in the common case: the file must be
// the one node-gyp-build picks, and anything that steers node-gyp-build must leave the choice to it.
import assert from 'node:assert/strict'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { test } from 'node:test'
import { knownPrebuild } from '../../src/profiling/pprof-dir'
import { tempDir } from '../helpers/run'

const PKG = path.dirname(require.resolve('@datadog/pprof/package.json'))
const nodeGypBuild = require('node-gyp-build') as { path: (dir: string) => string }

test('the addon found directly is the one node-gyp-build picks, on this runtime', { skip: process.platform !== 'linux' || fs.existsSync('/etc/alpine-release') }, () => {
  const known = knownPrebuild(PKG, {})
  assert.ok(known, 'a glibc Linux with the package installed from npm')
  assert.equal(known, nodeGypBuild.path(PKG))
})

test('a variable that steers node-gyp-build, a local build, or a missing prebuild leaves the choice to node-gyp-build', () => {
  for (const name of ['npm_config_arch', 'npm_config_platform', 'LIBC', 'PREBUILDS_ONLY', '@DATADOG/PPROF_PREBUILD']) {
    assert.equal(knownPrebuild(PKG, { [name]: 'x' }), undefined, name)
  }
  // A copy of the package layout with a local build beside its prebuilds.
  const copy = tempDir()
  const prebuilds = path.join(copy, 'prebuilds', `linux-${process.arch}`)
  fs.mkdirSync(prebuilds, { recursive: true })
  fs.writeFileSync(path.join(prebuilds, `dd_pprof.node.abi${process.versions.modules}.node`), '')
  if (process.platform === 'linux' && !fs.existsSync('/etc/alpine-release')) assert.ok(knownPrebuild(copy, {}))
  fs.mkdirSync(path.join(copy, 'build', 'Release'), { recursive: true })
  assert.equal(knownPrebuild(copy, {}), undefined)
  // No prebuild for this ABI.
  const empty = tempDir()
  fs.mkdirSync(path.join(empty, 'prebuilds', `linux-${process.arch}`), { recursive: true })
  assert.equal(knownPrebuild(empty, {}), undefined)
})
