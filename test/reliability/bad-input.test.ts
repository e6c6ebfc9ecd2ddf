// Bad input, table-driven over every row of SCHEMA: empty, malformed, out-of-range and hostile values (control
// characters, huge strings, separators). Each gets one message naming the variable and showing the value (never a
// secret's), and dd-run spawns nothing. Also: malformed NODE_OPTIONS, env files with lines dotenv would silently
// drop or huge values, and tags with separators and unicode, which must leave tags_profiler parseable.
import assert from 'node:assert/strict'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { describe, it } from 'node:test'
import { MAX_VALUE_LENGTH } from '../../src/config/layers'
import { printable } from '../../src/config/redact'
import { envFileProblems, resolveLaunch } from '../../src/config/resolve'
import { KEYS, SCHEMA } from '../../src/config/schema'
import { formatTags, parseTags } from '../../src/export/bundle'
import { DD_RUN, fixture } from '../helpers/paths'
import { listBundles } from '../helpers/profiles'
import { cleanEnv, ddRun, start, tempDir } from '../helpers/run'

/** Per variable: values its type must refuse. Every row of SCHEMA must be here (checked below). */
const BAD: Record<string, { malformed: string[]; outOfRange?: string[] }> = {
  DD_SERVICE: { malformed: ['web\nprod'] },
  DD_ENV: { malformed: ['prod\rstaging'] },
  DD_VERSION: { malformed: ['1.0\u0007'] },
  DD_TAGS: { malformed: ['team', 'team:', ':web', 'a:b,c', 'a:b,,:x'] },
  DD_PROFILING_ENABLED: { malformed: ['maybe', 'automatic', 'truee', '2'] },
  DD_TRACE_REPORT_HOSTNAME: { malformed: ['host'] },
  DD_GIT_COMMIT_SHA: { malformed: ['abc\ndef'], outOfRange: ['f'.repeat(200)] },
  DD_GIT_REPOSITORY_URL: { malformed: ['https://x\ny'] },
  DD_PROFILING_TIMELINE_ENABLED: { malformed: ['timeline'] },
  DD_EXTERNAL_ENV: { malformed: ['it-false\x07'] },
  DD_INJECTION_ENABLED: { malformed: ['tracer\nprofiler'] },
  DD_RUN_STRICT: { malformed: ['strict'] },
  DD_PROFILING_PROFILERS: { malformed: ['cpu', 'wall,heap', 'wall;space'] },
  DD_PROFILING_WALLTIME_ENABLED: { malformed: ['enabled'] },
  DD_PROFILING_HEAP_ENABLED: { malformed: ['nope'] },
  DD_PROFILING_CPU_ENABLED: { malformed: ['-1'] },
  DD_PROFILING_ALLOCATION_ENABLED: { malformed: ['alloc'] },
  DD_PROFILING_ASYNC_CONTEXT_FRAME_ENABLED: { malformed: ['cped'] },
  DD_PROFILING_DEBUG_UPLOAD_COMPRESSION: { malformed: ['brotli', 'gzip:1', 'zstd-'], outOfRange: ['gzip-10', 'zstd-23', 'gzip-0'] },
  DD_PROFILING_EVENT_LOOP_THRESHOLD_MS: { malformed: ['50ms', 'fast'], outOfRange: ['0', '-50', '0.5'] },
  DD_PROFILING_OOM_MONITORING: { malformed: ['y'] },
  DD_PROFILING_HEAP_SAMPLING_INTERVAL: { malformed: ['512k', '0x400', '1e', 'NaN'], outOfRange: ['1023', '-5', '2048.5', '1e400'] },
  DD_PROFILING_UPLOAD_PERIOD: { malformed: ['60s', '1m', 'Infinity', ' '.repeat(2) + '1 2'], outOfRange: ['0', '0.5', '-60'] },
  DD_PROFILING_WORKER_THREADS: { malformed: ['maybe'] },
  DD_PROFILING_WATCHDOG: { malformed: ['sometimes', 'auto1'] },
  DD_PROFILING_SOURCE_MAP: { malformed: ['ture'] },
  DD_PROFILING_ONLY: { malformed: [',', ' , ,'] },
  DD_PROFILING_SKIP: { malformed: [',,'] },
  DD_PROFILING_EXPORTERS: { malformed: ['files', 'agent,s3', 'agent|file'] },
  DD_PROFILING_OUTPUT_DIR: { malformed: ['out\ndir'] },
  DD_PROFILING_OUTPUT_MAX_MB: { malformed: ['1GB', '256MiB'], outOfRange: ['0', '0.5', '-1'] },
  DD_TRACE_AGENT_URL: { malformed: ['localhost:8126', 'ftp://agent', 'http://', 'unix:', 'not a url'] },
  DD_AGENT_HOST: { malformed: ['agent/evil', 'user@agent', 'agent#x', 'agent:8126/x', 'a b'] },
  DD_TRACE_AGENT_PORT: { malformed: ['http', '80a', '0x50'], outOfRange: ['0', '65536', '-1', '80.5'] },
  DD_SITE: { malformed: ['evil.example/#', 'datadoghq.com?x=', 'user@evil.example', 'https://datadoghq.com'] },
  DD_API_KEY: { malformed: ['abc\ndef'] },
  DD_PROFILING_FLUSH_TIMEOUT: { malformed: ['3s', 'forever'], outOfRange: ['-1'] },
  DD_PROFILING_UPLOAD_TIMEOUT: { malformed: ['10s'], outOfRange: ['0', '99', '100.5', '-10'] },
  DD_PROFILING_AGENTLESS_URL: { malformed: ['http://intake.example.com', 'ftp://127.0.0.1', 'intake'] },
  DD_TRACE_DEBUG: { malformed: ['verbose'] },
  DD_RUN_QUIET: { malformed: ['quiet'] },
}

/** Refused by every setting, whatever its type. */
const HOSTILE = ['a\nb', 'a\rb', 'x\u001b[31m', 'tab\there', 'del\u007f', 'nul\u0000byte', 'y'.repeat(MAX_VALUE_LENGTH + 1), 'z'.repeat(1_000_000)]

const rows = KEYS.map((k) => SCHEMA[k])
const cwd = tempDir()
const resolveWith = (env: NodeJS.ProcessEnv) => resolveLaunch({ flags: {}, env, envFiles: [], cwd })

describe('every setting refuses bad values with one message naming it', () => {
  it('the table covers every row of the schema', () => {
    assert.deepEqual(Object.keys(BAD).sort(), rows.map((r) => r.env).sort())
  })

  let tried = 0
  for (const row of rows) {
    it(row.env, () => {
      const cases = [...(BAD[row.env]?.malformed ?? []), ...(BAD[row.env]?.outOfRange ?? []), ...HOSTILE]
      for (const value of cases) {
        const { problems } = resolveWith({ [row.env]: value })
        assert.equal(problems.length, 1, `${row.env}=${JSON.stringify(value.slice(0, 40))}: ${JSON.stringify(problems)}`)
        const p = problems[0] as string
        assert.ok(p.startsWith(`${row.env}=`), p)
        assert.match(p, /: expected /)
        // Messages stay one line and short, whatever the value.
        assert.ok(!p.includes('\n') && p.length < 400, p.slice(0, 500))
        if (row.secret) assert.ok(!p.includes(value.slice(0, 8)) || value.length < 4, `the secret shows in ${p}`)
        // Addresses show with any user:password@ replaced by ***@ (see src/config/redact.ts).
        else assert.ok(p.includes(JSON.stringify(printable(row, value).slice(0, 20)).slice(1, -1)), p)
        tried++
      }
      // Empty and blank mean unset: the default, no message.
      for (const blank of ['', '   ']) assert.deepEqual(resolveWith({ [row.env]: blank }).problems, [])
    })
  }
  it('counts', (t) => {
    t.diagnostic(`${tried} bad values tried over ${rows.length} settings`)
    assert.ok(tried > rows.length * HOSTILE.length, `${tried} bad values tried`)
  })

  it('unicode is a value like any other where free text is allowed', () => {
    const r = resolveWith({ DD_SERVICE: 'café-☕-日本', DD_ENV: 'prød', DD_TAGS: 'team:wéb,emoji:🚀' })
    assert.deepEqual(r.problems, [])
    assert.equal(r.config.service, 'café-☕-日本')
    assert.deepEqual(r.config.tags, { team: 'wéb', emoji: '🚀' })
  })
})

describe('dd-run --strict: every problem at once, exit 2, nothing spawned', () => {
  const marker = path.join(tempDir(), 'spawned')
  const probe = ['node', '-e', `require('fs').writeFileSync(${JSON.stringify(marker)}, '')`]

  for (const kind of ['malformed', 'hostile'] as const) {
    it(`all ${rows.length - 1} settings but DD_RUN_STRICT ${kind} at once`, async () => {
      const env: NodeJS.ProcessEnv = {}
      // DD_RUN_STRICT is the one left out: the --strict flag that makes the others fatal wins over it.
      const checked = rows.filter((row) => row.env !== 'DD_RUN_STRICT')
      for (const row of checked) env[row.env] = kind === 'malformed' ? (BAD[row.env]?.malformed[0] as string) : `x${'\u001b'}y\nz`
      const r = await ddRun(['--strict', ...probe], { env: cleanEnv(env) })
      assert.equal(r.code, 2, r.stderr)
      assert.equal(r.stdout, '')
      assert.equal(fs.existsSync(marker), false)
      for (const row of checked) assert.match(r.stderr, new RegExp(`(^|\\n)dd-run: ${row.env}=`), `${row.env} is not named`)
      assert.ok(!r.stderr.includes(env.DD_API_KEY as string))
    })
  }

  it('a huge value (100 KB) is refused and shown cut short', async () => {
    const r = await ddRun(['--strict', ...probe], { env: cleanEnv({ DD_SERVICE: 'w'.repeat(100_000) }) })
    assert.equal(r.code, 2)
    assert.equal(fs.existsSync(marker), false)
    assert.match(r.stderr, /DD_SERVICE="w{60}"\.\.\. \(100000 characters\): expected at most 4096 characters/)
    assert.ok(r.stderr.length < 1000, `${r.stderr.length} characters of stderr`)
  })

  it('NODE_OPTIONS already malformed: dd-run refuses what it cannot extend, and Node\'s own refusals stay as they are', async () => {
    // dd-run's own node would refuse such a NODE_OPTIONS first, so it is given through an env file (see launcher.test.ts).
    const dir = tempDir()
    fs.writeFileSync(path.join(dir, 'quote.env'), `NODE_OPTIONS='--max-old-space-size=64 --require "unclosed'\n`)
    const q = await start(process.execPath, ['--', DD_RUN, '--env-file', 'quote.env', ...probe], { cwd: dir }).done
    assert.equal(q.code, 2, q.stderr)
    assert.match(q.stderr, /^dd-run: NODE_OPTIONS=.*expected options Node can read \(a double quote is not closed\)/)
    assert.equal(fs.existsSync(marker), false)
    // An option Node does not allow there: Node's own message and exit code, exactly as without dd-run.
    fs.writeFileSync(path.join(dir, 'flag.env'), 'NODE_OPTIONS=--no-such-flag\n')
    const bare = await start(process.execPath, ['-e', ''], { env: cleanEnv({ NODE_OPTIONS: '--no-such-flag' }) }).done
    const r = await start(process.execPath, ['--', DD_RUN, '--env-file', 'flag.env', ...probe], { cwd: dir }).done
    assert.equal(r.code, bare.code)
    for (const out of [bare.stderr, r.stderr]) assert.match(out, /--no-such-flag is not allowed in NODE_OPTIONS/)
    assert.equal(fs.existsSync(marker), false)
  })
})

describe('env files', () => {
  it('with --strict, lines dotenv would silently drop are reported with the file and line number; values never shown', async () => {
    const dir = tempDir()
    fs.writeFileSync(
      path.join(dir, 'app.env'),
      ['# a comment', 'GOOD=1', 'DD_SERVICE web', '', 'export DD_ENV=prod', '=nokey', 'SECRET_LINE s3cr3t', 'MULTI="one', 'two"', 'LAST=1'].join('\n'),
    )
    const marker = path.join(dir, 'spawned')
    const r = await ddRun(['--strict', '--env-file', 'app.env', 'node', '-e', `require('fs').writeFileSync(${JSON.stringify(marker)}, '')`], { cwd: dir })
    assert.equal(r.code, 2, r.stderr)
    assert.equal(fs.existsSync(marker), false)
    const lines = r.stderr.split('\n').filter((l) => l.includes('app.env'))
    assert.deepEqual(
      lines.map((l) => /line (\d+)/.exec(l)?.[1]),
      ['3', '6', '7'],
      r.stderr,
    )
    assert.ok(!r.stderr.includes('s3cr3t'))
    assert.match(r.stderr, /--env-file "app\.env" line 3: expected KEY=value, a comment or a blank line/)
  })

  it('an unclosed quote is reported; CRLF line ends and multi-line quoted values are fine', () => {
    assert.deepEqual(envFileProblems('f', 'A=1\r\nB="x\r\ny"\r\nC=3\r\n'), [])
    assert.deepEqual(envFileProblems('f', 'A=1\nB="never closed\nC=3\n'), ['f line 2: expected a closing " for the quoted value'])
  })

  it('a huge DD_* value in an env file is refused naming the variable and the file', async () => {
    const dir = tempDir()
    fs.writeFileSync(path.join(dir, 'big.env'), `DD_ENV=${'e'.repeat(200_000)}\n`)
    const r = await ddRun(['--strict', '--env-file', 'big.env', 'node', '-e', ''], { cwd: dir })
    assert.equal(r.code, 2, r.stderr)
    assert.match(r.stderr, /DD_ENV \(in big\.env\)="e{60}"\.\.\. \(200000 characters\): expected at most 4096/)
  })

  it('a huge non-DD value (over the kernel\'s 128 KiB per variable) fails with one clear line, not a stack trace', async () => {
    const dir = tempDir()
    fs.writeFileSync(path.join(dir, 'big.env'), `BLOB=${'b'.repeat(200_000)}\n`)
    const r = await ddRun(['--strict', '--env-file', 'big.env', 'node', '-e', ''], { cwd: dir })
    assert.notEqual(r.code, 0)
    assert.ok(!/\n\s+at /.test(r.stderr), r.stderr.slice(0, 2000))
    assert.match(r.stderr, /^dd-run: .*(E2BIG|too long|argument list)/im)
    assert.ok(r.stderr.length < 2000, `${r.stderr.length} characters of stderr`)
  })
})

describe('tags with separators and unicode', () => {
  it('formatTags keeps tags_profiler parseable whatever the keys and values', () => {
    const nasty: [string, string][] = [
      ['team', 'a,b'],
      ['multi\nline', 'x\r\ny'],
      ['k:colon', 'v:colon'],
      ['uni', 'café ☕ 日本'],
      ['blank', ''],
      ['tab', 'a\tb'],
    ]
    const s = formatTags(nasty)
    assert.ok(!/[\r\n\t]/.test(s))
    const back = parseTags(s)
    assert.equal(Object.keys(back).length, nasty.length)
    assert.deepEqual(back, { team: 'a_b', multi_line: 'x__y', k_colon: 'v:colon', uni: 'café ☕ 日本', blank: '_', tab: 'a_b' })
  })

  it('in a real run: DD_TAGS with unicode and a separator-laden service name give a parseable event.json', async () => {
    const out = tempDir()
    const r = await ddRun(['-s', 'my service/☕', 'node', fixture('reliability/app.js'), '200'], {
      env: cleanEnv({ DD_PROFILING_OUTPUT_DIR: out, DD_TAGS: 'team:wéb☕,path:/a/b,url:http://x:1/y,eq:a=b;c' }),
    })
    assert.equal(r.code, 0, r.stderr)
    const [b] = listBundles(out)
    assert.ok(b)
    assert.equal(b.service, 'my_service__') // the directory name: [A-Za-z0-9._-] only
    assert.equal(b.tags.service, 'my service/☕')
    assert.equal(b.tags.team, 'wéb☕')
    assert.equal(b.tags.url, 'http://x:1/y')
    assert.equal(b.tags.eq, 'a=b;c')
    assert.equal(b.tags.path, '/a/b')
  })
})
