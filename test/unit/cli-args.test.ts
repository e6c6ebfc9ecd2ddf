// The launcher's fast argument parser (src/cli-args.ts) against commander's: on every argv the fast one accepts, the
// two results are equal; what it is not sure of, it leaves to commander (undefined).
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { fastParse, optionDefs } from '../../src/cli-args'
import { commanderParse } from '../../src/cli'

const argv = (...a: string[]) => ['node', 'dd-run', ...a]

/** Accepted by the fast parser: each must give commander's result. */
const ACCEPTED: string[][] = [
  [],
  ['node', 'app.js'],
  ['node', '-e', '1'],
  ['-o', 'dir', 'node', 'app.js'],
  ['--output-dir', 'dir', 'node', 'app.js'],
  ['--output-dir=dir', 'node', 'app.js'],
  ['--service', 'web', '--env', 'prod', 'node', 'app.js'],
  ['-s', 'web', '-t', 'a:b,c:d', 'node', 'app.js'],
  ['-s', 'web', '-e', 'prod', '--service-version', '1.2.3', 'npm', 'start'],
  ['--no-profiling', 'node', 'x.js'],
  ['-p', 'node', 'x.js'],
  ['--profiling', 'node', 'x.js'],
  ['--no-profiling', '--profiling', 'node', 'x.js'],
  ['--profiling', '--no-profiling', 'node', 'x.js'],
  ['-p', '--no-profiling', '-p', 'node'],
  ['-d', '--', 'node', 'x.js'],
  ['-d', '--'],
  ['--'],
  ['--', '-x', 'y'],
  ['--', '--', 'y'],
  ['--', 'report'],
  ['-d', '-q', '--strict', 'node', 'x.js'],
  ['--debug', '--quiet', 'node'],
  ['--service=', 'node', 'x.js'],
  ['--service', '', 'node', 'x.js'],
  ['--service=a=b', 'node'],
  ['-s', 'one', '-s', 'two', 'node'],
  ['--service=one', '--service', 'two', '-s', 'three', 'node'],
  ['-t', 'a:b', '-t', 'c:d', '--tags=e:f', 'node'],
  ['-t', '', '-t', 'x:y', 'node'],
  ['--tags=', 'node'],
  ['--env-file', 'a.env', 'node'],
  ['--env-file', 'a.env', '--env-file=b.env', '--env-file', 'a.env', 'node'],
  ['--no-color', 'node'],
  ['--no-color', '--no-color', 'node'],
  ['--dry-run', 'node', 'x.js'],
  ['--dry-run'],
  ['-i'],
  ['--info', '--json'],
  ['-i', '--json', '-s', 'web', 'node'],
  ['--json', 'node'],
  ['--upload-period', '10', 'node', 'batch.js'],
  ['--upload-period', 'soon', 'node'],
  ['--profilers', 'wall,space', '--exporters', 'file', 'node'],
  ['--only', 'server.js', '--skip', 'npm', 'node'],
  ['--agent-url', 'http://user:pw@localhost:8126', 'node'],
  ['--agent-url=unix:///var/run/datadog/apm.socket', 'node'],
  ['-o', 'dir', 'node', 'app.js', '-o', 'other', '--service', 'x'],
  ['node', '--', '-s', 'x'],
  ['node', '--no-profiling'],
  ['node', '-h'],
  ['node', '--version'],
  ['', 'x'],
  ['-', 'x'],
  ['-s', 'web', '-', 'x'],
  ['report'],
  ['-d', 'report'],
  ['-s', 'web', '-d', 'snapshot', '1'],
  ['-o', 'profiles/', '--upload-period', '10', 'node', 'batch.js'],
  ['-s', 'a b', '-e', 'süd', 'node'],
  ['-o', '=x', 'node'],
  ['-s', 'web'],
]

/** Left to commander: help, version, clusters, unknown options, missing values, values like options, odd forms. */
const REFUSED: string[][] = [
  ['-h'],
  ['--help'],
  ['-v'],
  ['--version'],
  ['-s', 'web', '--help', 'node'],
  ['-dq', 'node'],
  ['-qd', 'node'],
  ['-sweb', 'node'],
  ['-s=web', 'node'],
  ['--bogus', 'node'],
  ['-x', 'node'],
  ['-s'],
  ['-d', '-s'],
  ['--service'],
  ['-s', '-x', 'node'],
  ['-s', '--', 'node'],
  ['--service=-x', 'node'],
  ['--debug=1', 'node'],
  ['--no-profiling=1', 'node'],
  ['--no-debug', 'node'],
  ['--no-service', 'node'],
  ['--color', 'node'],
  ['--Service', 'web', 'node'],
  ['--serv', 'web', 'node'],
  ['-5', 'node'],
  ['--=x', 'node'],
  ['---', 'node'],
]

test('the fast parser gives commander\'s result on every argv it accepts', () => {
  assert.ok(ACCEPTED.length >= 40)
  for (const a of ACCEPTED) {
    const fast = fastParse(argv(...a))
    assert.ok(fast, `fast parser refused ${JSON.stringify(a)}`)
    assert.deepStrictEqual(fast, commanderParse(argv(...a)), JSON.stringify(a))
  }
})

test('every option of the table is read by the fast parser, in each of its forms, as commander reads it', () => {
  for (const def of optionDefs()) {
    const m = /^(?:(-\w), )?(--[\w-]+)( <.+>)?$/.exec(def.flags)
    assert.ok(m, `${def.flags}: a syntax the fast parser does not read (every use would load commander)`)
    const names = [m[2] as string, ...(m[1] ? [m[1]] : [])]
    const forms = names.flatMap((n) => (m[3] ? [[n, 'v1'], [n, 'v1', n, 'v2'], ...(n.startsWith('--') ? [[`${n}=v3`]] : [])] : [[n], [n, n]]))
    for (const f of forms) {
      const a = argv(...f, 'node', 'app.js')
      assert.ok(fastParse(a), `fast parser refused ${JSON.stringify(f)}`)
      assert.deepStrictEqual(fastParse(a), commanderParse(a), JSON.stringify(f))
    }
  }
})

test('the fast parser leaves help, version, clusters, unknown options and missing values to commander', () => {
  for (const a of REFUSED) assert.equal(fastParse(argv(...a)), undefined, JSON.stringify(a))
})

test('random argv from the options\' own tokens: equal to commander whenever the fast parser accepts', () => {
  const tokens = [
    '-s', '--service', '--service=w', '-e', '--env', '-t', '--tags', '--tags=k:v', '-p', '--profiling', '--no-profiling',
    '-o', '--output-dir', '--upload-period', '--profilers', '--exporters', '--only', '--skip', '--agent-url', '--strict',
    '-d', '--debug', '-q', '--quiet', '--service-version', '--env-file', '--env-file=e', '-i', '--info', '--json',
    '--dry-run', '--no-color', '--', 'node', 'app.js', 'web', 'a:b', '', '-', '-x', '-dq', '--bogus', '10',
  ]
  let seed = 18
  const rand = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2147483648
    return seed % n
  }
  let accepted = 0
  for (let i = 0; i < 3000; i++) {
    const a = Array.from({ length: rand(7) }, () => tokens[rand(tokens.length)] as string)
    const fast = fastParse(argv(...a))
    if (!fast) continue
    accepted++
    assert.deepStrictEqual(fast, commanderParse(argv(...a)), JSON.stringify(a))
  }
  assert.ok(accepted > 300, `only ${accepted} accepted`)
})
