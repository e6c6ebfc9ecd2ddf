import assert from 'node:assert/strict'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { test } from 'node:test'
import { fromEnv, toEnv, type Layer } from '../../src/config/layers'
import { resolveLaunch } from '../../src/config/resolve'
import { KEYS, SCHEMA } from '../../src/config/schema'
import { configurationDoc } from '../../src/config/doc'
import { ROOT } from '../helpers/paths'
import { tempDir } from '../helpers/run'

function project(files: Record<string, string>): string {
  const dir = tempDir()
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text)
  return dir
}

test('defaults apply when nothing is set', () => {
  const { config, problems } = fromEnv({})
  assert.deepEqual(problems, [])
  // The output directory is made absolute (against the working directory) when the configuration is resolved.
  for (const key of KEYS) assert.deepEqual(config[key], key === 'outputDir' ? path.resolve(SCHEMA.outputDir.default) : SCHEMA[key].default, key)
})

test('every problem is reported at once, naming the variable, the value and what was expected', () => {
  const { problems } = fromEnv({
    DD_PROFILING_UPLOAD_PERIOD: 'abc',
    DD_PROFILING_ENABLED: 'maybe',
    DD_TRACE_AGENT_PORT: '99999',
    DD_API_KEY: '   ',
  })
  assert.deepEqual(problems, [
    'DD_PROFILING_ENABLED="maybe": expected true, false, 1, 0, yes, no, on, off or auto',
    'DD_PROFILING_UPLOAD_PERIOD="abc": expected a number of seconds from 1 to 2147483.647 (Node\'s timer limit, 2^31-1 ms)',
    'DD_TRACE_AGENT_PORT="99999": expected a port number from 1 to 65535',
  ])
})

test('a bad secret is reported without its value', () => {
  const flags: Layer = {}
  const r = resolveLaunch({ flags, env: { DD_API_KEY: 'x' }, envFiles: [], cwd: tempDir() })
  assert.deepEqual(r.problems, [])
  assert.equal(r.config.apiKey, 'x')
})

test('fromEnv(toEnv(c)) gives c back', () => {
  const env = {
    DD_SERVICE: 'web',
    DD_ENV: 'prod',
    DD_VERSION: '1.2.3',
    DD_TAGS: 'team:a, region:eu',
    DD_PROFILING_PROFILERS: 'space',
    DD_PROFILING_UPLOAD_PERIOD: '15.5',
    DD_TRACE_AGENT_URL: 'unix:///tmp/a.sock',
    DD_PROFILING_CPU_ENABLED: '0',
    DD_TRACE_DEBUG: 'TRUE',
  }
  const first = fromEnv(env).config
  const second = fromEnv(toEnv(first)).config
  assert.deepEqual(second, first)
  assert.equal(first.uploadPeriod, 15.5)
  assert.deepEqual(first.tags, { team: 'a', region: 'eu' })
})

test('precedence: flag > environment > --env-file > ./.env > package.json > default', () => {
  const dir = project({
    'package.json': JSON.stringify({ name: 'pkg-name', version: '9.9.9' }),
    '.env': 'DD_SERVICE=dotenv-service\nDD_ENV=dotenv-env\nDD_VERSION=dotenv-version\nOTHER=not-for-child\n',
    'a.env': 'DD_SERVICE=file-a\nDD_ENV=file-a\nFROM_FILE=a\nSHARED=a\n',
    'b.env': 'DD_SERVICE=file-b\nSHARED=b\n',
  })
  const flags: Layer = { service: { raw: 'flag-service', source: 'flag', name: '--service' } }
  const base = { flags, envFiles: ['a.env', 'b.env'], cwd: dir }

  let r = resolveLaunch({ ...base, env: { DD_SERVICE: 'env-service' } })
  assert.equal(r.config.service, 'flag-service')
  assert.equal(r.sources.service.source, 'flag')

  r = resolveLaunch({ ...base, flags: {}, env: { DD_SERVICE: 'env-service', SHARED: 'env' } })
  assert.equal(r.config.service, 'env-service')
  // --env-file: a later file wins; variables the environment sets are not overridden; others go to the child.
  assert.equal(r.config.env, 'file-a')
  assert.deepEqual(r.envFileVars, { DD_ENV: 'file-a', FROM_FILE: 'a' })

  r = resolveLaunch({ ...base, flags: {}, env: {} })
  assert.equal(r.config.service, 'file-b')
  assert.equal(r.sources.service.source, 'env file')
  // ./.env is below the env files, above package.json.
  assert.equal(r.config.version, 'dotenv-version')
  assert.equal(r.sources.version.source, '.env')

  r = resolveLaunch({ flags: {}, env: {}, envFiles: [], cwd: dir })
  assert.equal(r.config.service, 'dotenv-service')
  assert.equal(r.envFileVars.OTHER, undefined, '.env gives DD_* settings only')

  fs.rmSync(path.join(dir, '.env'))
  r = resolveLaunch({ flags: {}, env: {}, envFiles: [], cwd: dir })
  assert.equal(r.config.service, 'pkg-name')
  assert.equal(r.config.version, '9.9.9')
  assert.equal(r.sources.service.source, 'package.json')
  assert.equal(r.packageJson, path.join(dir, 'package.json'))
})

test('package.json is found in a parent directory; a broken one is ignored', () => {
  const dir = project({ 'package.json': JSON.stringify({ name: '@acme/api', version: '2.0.0' }) })
  const sub = path.join(dir, 'src', 'deep')
  fs.mkdirSync(sub, { recursive: true })
  assert.equal(resolveLaunch({ flags: {}, env: {}, envFiles: [], cwd: sub }).config.service, 'acme/api')
  fs.writeFileSync(path.join(dir, 'package.json'), '{ not json')
  const r = resolveLaunch({ flags: {}, env: {}, envFiles: [], cwd: sub })
  assert.equal(r.config.service, undefined)
  assert.deepEqual(r.problems, [])
})

test('a missing --env-file is a problem naming the flag and the path', () => {
  const r = resolveLaunch({ flags: {}, env: {}, envFiles: ['nope.env'], cwd: tempDir() })
  assert.deepEqual(r.problems, ['--env-file "nope.env": expected a readable file'])
})

test('bad values from an env file name the file', () => {
  const dir = project({ 'x.env': 'DD_PROFILING_UPLOAD_PERIOD=1m\n' })
  const r = resolveLaunch({ flags: {}, env: {}, envFiles: ['x.env'], cwd: dir })
  assert.deepEqual(r.problems, ['DD_PROFILING_UPLOAD_PERIOD (in x.env)="1m": expected a number of seconds from 1 to 2147483.647 (Node\'s timer limit, 2^31-1 ms)'])
})

test('the output directory is made absolute against the launch directory', () => {
  const dir = tempDir()
  const r = resolveLaunch({ flags: {}, env: { DD_PROFILING_OUTPUT_DIR: 'out/profiles' }, envFiles: [], cwd: dir })
  assert.equal(r.config.outputDir, path.join(dir, 'out/profiles'))
})

test('docs/configuration.md is up to date with the schema (npm run docs:config)', () => {
  const committed = fs.readFileSync(path.join(ROOT, 'docs', 'configuration.md'), 'utf8')
  assert.equal(committed, configurationDoc(), 'docs/configuration.md is stale: run npm run docs:config')
})
