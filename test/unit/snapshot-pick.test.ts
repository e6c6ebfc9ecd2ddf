// Which run `dd-run snapshot` asks, and which stack frames it shows: pure parts, checked without processes.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { appFrames } from '../../src/profiling/watchdog/stack'
import { pickRun, type Run } from '../../src/run/snapshot'
import { boolOrAuto } from '../../src/config/value-types'

const run = (pid: number, command: string): Run => ({ channel: `/nonexistent/dd-run-${pid}`, launcher: { pid, command, startedAt: '2026-11-26T00:00:00Z' } })

test('pickRun: the only run; none; several without a pid name them all; a launcher pid picks its run', () => {
  assert.deepEqual(pickRun([run(10, 'node a.js')]), run(10, 'node a.js'))
  assert.equal(pickRun([]), 'no dd-run launch of yours is running')
  assert.equal(pickRun([run(10, 'node a.js'), run(11, 'npm start')]), '2 dd-run launches are running; name one by its pid: 10 (node a.js), 11 (npm start)')
  assert.deepEqual(pickRun([run(10, 'node a.js'), run(11, 'npm start')], 11), run(11, 'npm start'))
  assert.match(pickRun([run(10, 'node a.js')], 12) as string, /^no dd-run launch of yours has the pid 12 \(running: 10 \(node a\.js\)\)$/)
})

test('appFrames: drops the entry point and the evaluated expression, keeps the app frames innermost first', () => {
  const stack = [
    'Error',
    '    at answer (/x/dist/preload/index.js:1:2)',
    '    at globalThis.<computed> (/x/dist/preload/index.js:3:4)',
    '    at <anonymous>:1:53',
    '    at stuckForever (/app/stuck.js:4:3)',
    '    at Object.<anonymous> (/app/stuck.js:7:1)',
  ].join('\n')
  assert.deepEqual(appFrames(stack), ['stuckForever (/app/stuck.js:4:3)', 'Object.<anonymous> (/app/stuck.js:7:1)'])
  assert.deepEqual(appFrames('Error\n    at answer (x.js:1:1)\n    at <anonymous>:1:53'), [], 'idle: nothing below the expression')
  assert.equal(appFrames(stack, 1).length, 1)
})

test('DD_PROFILING_WATCHDOG takes auto, true, false, 1 or 0', () => {
  const t = boolOrAuto()
  assert.deepEqual(t.parse(' AUTO '), { ok: true, value: 'auto' })
  assert.deepEqual(t.parse('1'), { ok: true, value: true })
  assert.deepEqual(t.parse('false'), { ok: true, value: false })
  assert.deepEqual(t.parse('sometimes'), { ok: false, expected: 'auto, true, false, 1 or 0' })
})
