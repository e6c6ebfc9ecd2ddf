// The supported Node versions, named once in src/node-support.ts, and the checks that read them: doctor's Node.js
// check (the launcher's Node and the `node` on PATH, each against its own minimum), --info, package.json's engines.
import assert from 'node:assert/strict'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { test } from 'node:test'
import { nodeVersionCheck } from '../../src/doctor/node-version'
import { collectInfo, formatInfo } from '../../src/launch/info'
import { resolveLaunch } from '../../src/config/resolve'
import { LAUNCHER_MIN_NODE_MAJOR, nodeMajor, PROFILED_MIN_NODE_MAJOR } from '../../src/node-support'
import { ROOT } from '../helpers/paths'

test('the minimums: dd-run itself 20, the profiled program 18; package.json engines says the launcher one', () => {
  assert.equal(LAUNCHER_MIN_NODE_MAJOR, 20)
  assert.equal(PROFILED_MIN_NODE_MAJOR, 18)
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'))
  assert.equal(pkg.engines.node, `>=${LAUNCHER_MIN_NODE_MAJOR}`)
  assert.equal(nodeMajor('v18.20.8'), 18)
  assert.equal(nodeMajor('26.12.1'), 26)
  assert.ok(Number.isNaN(nodeMajor('')))
})

test('the README states both minimums', () => {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8')
  assert.match(readme, new RegExp(`dd-run itself needs Node\\.js ${LAUNCHER_MIN_NODE_MAJOR} or newer`))
  assert.match(readme, new RegExp(`may run any Node\\.js from ${PROFILED_MIN_NODE_MAJOR} on`))
})

test('doctor: Node 18 as the program under a Node 20 launcher passes', () => {
  const c = nodeVersionCheck('v20.20.2', 'v18.20.8')
  assert.equal(c.status, 'ok')
  assert.equal(c.detail, 'v18.20.8 on PATH, dd-run on v20.20.2 is supported (profiled programs need Node 18+, dd-run itself 20+)')
})

test('doctor: everything on one supported Node passes; a launcher on 18 only warns (it got as far as doctor)', () => {
  assert.equal(nodeVersionCheck('v24.21.0', 'v24.21.0').status, 'ok')
  const old = nodeVersionCheck('v18.20.8', 'v18.20.8')
  assert.equal(old.status, 'warning')
  assert.match(old.detail, /dd-run itself is tested on Node 20\+ only/)
  assert.match(old.fix ?? '', /the program may keep its Node/)
})

test('doctor: a program Node older than 18 fails, with a fix; no node on PATH warns', () => {
  const c = nodeVersionCheck('v20.20.2', 'v16.20.2')
  assert.equal(c.status, 'failure')
  assert.match(c.detail, /v16\.20\.2 is older than 18/)
  assert.match(c.fix ?? '', /Node\.js 18 or newer/)
  assert.equal(nodeVersionCheck('v20.20.2', undefined).status, 'warning')
})

test('--info names both minimums', () => {
  const resolved = resolveLaunch({ flags: {}, env: {}, envFiles: [], cwd: ROOT })
  const info = collectInfo(resolved, false, [])
  assert.deepEqual(info.nodeSupport, { launcher: 20, profiled: 18 })
  assert.match(formatInfo(info), /^supports Node 20\+ for dd-run itself, Node 18\+ for the programs it profiles$/m)
})

test('the preload guard: on a Node older than 18 one line on stderr, nothing else, and the program runs', () => {
  const { spawnSync } = require('node:child_process') as typeof import('node:child_process')
  // Node 16 cannot be installed here (no prebuilt addon, no binary in the matrix): the guard reads
  // process.version, so an older version is faked before the preload loads.
  const code = `Object.defineProperty(process, 'version', { value: 'v16.20.2' }); require(${JSON.stringify(path.join(ROOT, 'dist', 'preload', 'index.js'))}); console.log('app ran')`
  const r = spawnSync(process.execPath, ['-e', code], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } })
  assert.equal(r.status, 0, r.stderr)
  assert.equal(r.stdout, 'app ran\n')
  assert.equal(r.stderr, `dd-run: profiling is off in this process: Node v16.20.2 is older than 18 (pid ${r.pid})\n`)
})
