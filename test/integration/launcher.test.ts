// The launcher as users run it: real dd-run processes on tiny fixture apps.
import assert from 'node:assert/strict'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { test } from 'node:test'
import { DD_RUN, PRELOAD, ROOT, fixture } from '../helpers/paths'
import { cleanEnv, ddRun, start, tempDir, waitFor } from '../helpers/run'

const node = process.execPath
const quiet = (extra: NodeJS.ProcessEnv = {}) => ({ env: cleanEnv({ DD_PROFILING_ENABLED: 'false', ...extra }) })

test('the exit code comes back unchanged (random codes 0-255)', async () => {
  const codes = [0, 1, 2, 126, 127, 255, Math.floor(Math.random() * 256)]
  for (const code of codes) {
    const r = await ddRun(['node', '-e', `process.exit(${code})`])
    assert.equal(r.code, code, `child exited ${code}: ${r.stderr}`)
  }
})

test('a child killed by a signal makes dd-run die of the same signal', async () => {
  for (const sig of ['SIGTERM', 'SIGKILL', 'SIGINT'] as const) {
    const r = await ddRun(['node', '-e', `process.kill(process.pid, '${sig}')`])
    assert.equal(r.signal, sig, `stderr: ${r.stderr}`)
  }
})

test('as PID 1 (where re-raising is ignored) dd-run exits 128+N', { skip: !canUnshare() && 'needs unshare --pid (root)' }, async () => {
  const r = await start('unshare', ['--pid', '--fork', '--kill-child', node, DD_RUN, 'node', '-e', `process.kill(process.pid, 'SIGTERM')`]).done
  assert.equal(r.code, 143, r.stderr)
})

for (const via of ['pid', 'process group'] as const) {
  test(`every forwarded signal reaches the child exactly once, sent to dd-run's ${via}`, async () => {
    // detached: dd-run leads its own process group, as it does when a shell starts it in a terminal.
    const { child, done } = start(node, [DD_RUN, 'node', fixture('signals.js')], { ...quiet(), detached: true, keepStdin: true })
    let out = ''
    child.stdout?.on('data', (d: Buffer) => (out += d.toString()))
    await waitFor(() => out.includes('ready\n'), 20_000, 'the fixture to start')
    const signals = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2', 'SIGWINCH'] as const
    for (const sig of signals) {
      process.kill(via === 'pid' ? (child.pid as number) : -(child.pid as number), sig)
      await waitFor(() => out.includes(`got ${sig}\n`), 10_000, `${sig} to arrive`)
    }
    // A second delivery, if any, would arrive within this pause.
    await new Promise((r) => setTimeout(r, 300))
    child.stdin?.end()
    const r = await done
    assert.equal(r.code, 0, r.stderr)
    for (const sig of signals) assert.equal(r.stdout.split(`got ${sig}\n`).length - 1, 1, `${sig} deliveries in:\n${r.stdout}`)
  })
}

test('a second signal while the child shuts down is forwarded too', async () => {
  const script = `process.on('SIGTERM', () => { console.log('first'); process.on('SIGTERM', () => { console.log('second'); process.exit(7) }) }); console.log('ready'); setInterval(() => {}, 1000)`
  const { child, done } = start(node, [DD_RUN, 'node', '-e', script], quiet())
  let out = ''
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()))
  await waitFor(() => out.includes('ready'), 20_000, 'start')
  child.kill('SIGTERM')
  await waitFor(() => out.includes('first'), 10_000, 'first signal')
  child.kill('SIGTERM')
  const r = await done
  assert.equal(r.code, 7)
  assert.match(r.stdout, /first\nsecond\n/)
})

test('stdin, stdout and stderr are the child\'s', async () => {
  const r = await ddRun(['-q', 'node', '-e', `process.stdin.pipe(process.stdout); process.stderr.write('to stderr')`], { input: 'piped input\nline 2\n' })
  assert.equal(r.code, 0)
  assert.equal(r.stdout, 'piped input\nline 2\n')
  assert.equal(r.stderr, 'to stderr')
})

test('arguments pass through untouched: spaces, quotes, unicode, leading dashes, dd-run-like flags', async () => {
  const args = ['a b', `it's "quoted"`, 'ünï €', '-s', '--service', 'x', '--', '-p', '--help', '']
  const r = await ddRun(['node', fixture('print-env.js'), ...args])
  assert.equal(r.code, 0, r.stderr)
  assert.deepEqual(JSON.parse(r.stdout).args, args)
  // `--` ends dd-run's options; what follows is the command, even if it looks like an option.
  const r2 = await ddRun(['--service', 'web', '--', 'node', fixture('print-env.js'), '--service', 'other'])
  const out = JSON.parse(r2.stdout)
  assert.deepEqual(out.args, ['--service', 'other'])
  assert.equal(out.dd.DD_SERVICE, 'web')
})

test('the preload is appended to NODE_OPTIONS, keeping the user\'s value, never twice', async () => {
  const user = '--max-old-space-size=200 --no-warnings'
  const r = await ddRun(['node', fixture('print-env.js')], { env: cleanEnv({ NODE_OPTIONS: user }) })
  const out = JSON.parse(r.stdout)
  const expected = `${user} --require "${PRELOAD}"`
  assert.equal(out.nodeOptions, expected)
  assert.equal(out.preloaded, true)
  // dd-run inside dd-run: still one --require.
  const nested = await ddRun(['node', DD_RUN, 'node', fixture('print-env.js')], { env: cleanEnv({ NODE_OPTIONS: user }) })
  assert.equal(JSON.parse(nested.stdout).nodeOptions, expected)
})

test('a preload path with a space works', async () => {
  const dir = path.join(tempDir(), 'with space "and quotes"')
  fs.mkdirSync(dir)
  fs.cpSync(path.join(ROOT, 'dist'), path.join(dir, 'dist'), { recursive: true })
  fs.copyFileSync(path.join(ROOT, 'package.json'), path.join(dir, 'package.json'))
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'))
  const r = await start(node, [path.join(dir, 'dist', 'bin', 'dd-run.js'), 'node', fixture('print-env.js')]).done
  assert.equal(r.code, 0, r.stderr)
  const out = JSON.parse(r.stdout)
  assert.equal(out.preloaded, true)
  assert.ok(out.nodeOptions.includes('with space \\"and quotes\\"'), out.nodeOptions)
})

test('malformed NODE_OPTIONS for the child stops dd-run before anything runs', async () => {
  // dd-run's own Node would refuse such a NODE_OPTIONS, so it can only come from an env file. Node 20 also reads
  // an --env-file it finds among a script's arguments (and applies its NODE_OPTIONS); `node --` keeps it from doing
  // so here, so that dd-run's own check is what answers.
  const dir = tempDir()
  fs.writeFileSync(path.join(dir, 'bad.env'), `NODE_OPTIONS='--require "unclosed'\n`)
  const r = await start(node, ['--', DD_RUN, '--env-file', 'bad.env', 'node', '-e', 'console.log("ran")'], { cwd: dir }).done
  assert.equal(r.code, 2)
  assert.equal(r.stdout, '')
  assert.match(r.stderr, /^dd-run: NODE_OPTIONS="--require \\"unclosed": expected options Node can read \(a double quote is not closed\)\n/)
})

test('profiling disabled: the command runs unchanged, without the preload', async () => {
  for (const args of [['--no-profiling'], []]) {
    const env = args.length === 0 ? cleanEnv({ DD_PROFILING_ENABLED: 'false' }) : cleanEnv()
    const r = await ddRun([...args, 'node', fixture('print-env.js')], { env })
    const out = JSON.parse(r.stdout)
    assert.equal(out.nodeOptions, null)
    assert.equal(out.preloaded, false)
  }
})

test('command not found: 127; not executable: 126 with a hint', async () => {
  const missing = await ddRun(['no-such-command-xyz', 'arg'])
  assert.equal(missing.code, 127)
  assert.equal(missing.stderr, 'dd-run: command not found: no-such-command-xyz\n')
  const dir = tempDir()
  const script = path.join(dir, 'app.js')
  fs.writeFileSync(script, 'console.log(1)\n', { mode: 0o644 })
  const notExec = await ddRun([script], { cwd: dir })
  assert.equal(notExec.code, 126)
  assert.equal(notExec.stderr, `dd-run: ${script}: is not executable (did you mean: dd-run node ${script}?)\n`)
  const isDir = await ddRun(['./'], { cwd: dir })
  assert.equal(isDir.code, 126)
})

test('no command: usage on stderr, exit 2; --help and --version exit 0', async () => {
  const r = await ddRun([])
  assert.equal(r.code, 2)
  assert.equal(r.stdout, '')
  assert.match(r.stderr, /^Usage: dd-run \[options\] \[--\] <command> \[args\.\.\.\]/)
  const help = await ddRun(['--help'])
  assert.equal(help.code, 0)
  assert.match(help.stdout, /--upload-period <seconds>/)
  assert.match(help.stdout, /DD_PROFILING_UPLOAD_PERIOD/)
  const version = await ddRun(['-v'])
  assert.equal(version.code, 0)
  assert.equal(version.stdout.trim(), JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version)
})

test('dd-run\'s own output into a pipe closed early (`dd-run --help | head -1`): no EPIPE stack trace, its exit code', async () => {
  const { spawn } = await import('node:child_process')
  for (const args of [['--help'], ['--info'], ['doctor', '--help']]) {
    const child = spawn(node, [DD_RUN, ...args], { env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] })
    // The reader goes away before dd-run writes: each of its writes fails with EPIPE.
    child.stdout.destroy()
    let stderr = ''
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)))
    assert.doesNotMatch(stderr, /EPIPE|Unhandled 'error' event/, `${args.join(' ')}: ${stderr}`)
    if (args[0] === '--help') assert.equal(code, 0)
  }
})

test('subcommand names are reserved; after -- they are programs', async () => {
  const r = await ddRun(['--', 'report'])
  assert.equal(r.code, 127)
  assert.equal(r.stderr, 'dd-run: command not found: report\n')
})

test('bad input with --strict: every problem at once, exit 2, nothing spawned', async () => {
  const dir = tempDir()
  const marker = path.join(dir, 'ran')
  const r = await ddRun(['--strict', '--upload-period', 'soon', '--profilers', 'wall,cpu', '-t', 'novalue', 'node', '-e', `require('fs').writeFileSync(${JSON.stringify(marker)}, '')`], {
    env: cleanEnv({ DD_PROFILING_ENABLED: 'maybe', DD_TRACE_AGENT_URL: 'agent:8126' }),
  })
  assert.equal(r.code, 2)
  assert.equal(fs.existsSync(marker), false)
  assert.equal(
    r.stderr,
    [
      'dd-run: --tags="novalue": expected comma-separated key:value pairs, such as team:web,region:eu',
      'dd-run: DD_PROFILING_ENABLED="maybe": expected true, false, 1, 0, yes, no, on, off or auto',
      'dd-run: --profilers="wall,cpu": expected a comma-separated list of wall, space, events, exceptions',
      'dd-run: --upload-period="soon": expected a number of seconds from 1 to 2147483.647 (Node\'s timer limit, 2^31-1 ms)',
      'dd-run: DD_TRACE_AGENT_URL="agent:8126": expected a URL starting with http://, https:// or unix://',
      'dd-run: nothing was run; see dd-run --help or docs/configuration.md (--strict: values from the environment count too)',
      '',
    ].join('\n'),
  )
  const unknown = await ddRun(['--servcie', 'x', 'node', '-e', '0'])
  assert.equal(unknown.code, 2)
  assert.match(unknown.stderr, /^dd-run: unknown option '--servcie'\n\(Did you mean --service\?\)/)
})

test('flags win over the environment and are passed to the child as DD_* variables', async () => {
  const r = await ddRun(['-s', 'web', '-e', 'prod', '--service-version', '1.4.2', '-t', 'a:1', '-t', 'b:2', '--upload-period', '60', 'node', fixture('print-env.js')], {
    env: cleanEnv({ DD_SERVICE: 'from-env', DD_PROFILING_UPLOAD_PERIOD: '10', DD_TAGS: 'c:3' }),
  })
  const { dd } = JSON.parse(r.stdout)
  assert.equal(dd.DD_SERVICE, 'web')
  assert.equal(dd.DD_ENV, 'prod')
  assert.equal(dd.DD_VERSION, '1.4.2')
  assert.equal(dd.DD_TAGS, 'a:1,b:2')
  // Set back to the default by a flag: the environment's 10 must not reach the child.
  assert.equal(dd.DD_PROFILING_UPLOAD_PERIOD, '60')
  assert.match(dd.DD_RUN_ID, /^[0-9a-f-]{36}$/)
})

test('--env-file variables reach the child; DD_* ones configure it; ./.env configures too', async () => {
  const dir = tempDir()
  fs.writeFileSync(path.join(dir, 'app.env'), 'DD_SERVICE=from-file\nFROM_FILE=yes\n')
  fs.writeFileSync(path.join(dir, '.env'), 'DD_ENV=from-dotenv\nFROM_DOTENV=no\n')
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'pkg', version: '3.0.0' }))
  const r = await ddRun(['--env-file', 'app.env', 'node', fixture('print-env.js')], { cwd: dir })
  const out = JSON.parse(r.stdout)
  assert.equal(out.dd.DD_SERVICE, 'from-file')
  assert.equal(out.dd.DD_ENV, 'from-dotenv')
  assert.equal(out.dd.DD_VERSION, '3.0.0')
  assert.equal(out.extra, 'yes')
})

test('--info shows each value and its source, redacts the API key, and exits 0', async () => {
  const dir = tempDir()
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'pkg', version: '3.0.0' }))
  const env = cleanEnv({ DD_API_KEY: 'abcdef0123456789wxyz', DD_ENV: 'staging', DD_TRACE_AGENT_URL: 'http://127.0.0.1:9' })
  const r = await ddRun(['--info', '-s', 'web', 'node', 'app.js'], { cwd: dir, env })
  assert.equal(r.code, 0, r.stderr)
  assert.doesNotMatch(r.stdout + r.stderr, /abcdef0123456789/)
  assert.match(r.stdout, /DD_API_KEY\s+\*\*\*\*wxyz\s+environment/)
  assert.match(r.stdout, /DD_SERVICE\s+web\s+flag --service/)
  assert.match(r.stdout, /DD_VERSION\s+3\.0\.0\s+package\.json version \(in .*package\.json\)/)
  assert.match(r.stdout, /DD_PROFILING_UPLOAD_PERIOD\s+60\s+default/)
  assert.match(r.stdout, /agent: http:\/\/127\.0\.0\.1:9 \(DD_TRACE_AGENT_URL\): no answer/)
  const json = await ddRun(['--info', '--json'], { cwd: dir, env })
  assert.equal(json.code, 0)
  const info = JSON.parse(json.stdout)
  assert.deepEqual(info.settings.apiKey, { variable: 'DD_API_KEY', value: '****wxyz', source: 'environment' })
  assert.deepEqual(info.settings.service, { variable: 'DD_SERVICE', value: 'pkg', source: 'package.json name (in ' + path.join(dir, 'package.json') + ')' })
  assert.equal(info.agent.reachable, false)
  assert.deepEqual(info.warnings.filter((w: string) => /^DD_(SERVICE|ENV|VERSION) /.test(w)), [])
  const bare = await ddRun(['--info', '--json'], { cwd: tempDir(), env: cleanEnv() })
  const warned = JSON.parse(bare.stdout).warnings.map((w: string) => w.split(' ')[0])
  assert.deepEqual(warned.filter((w: string) => w.startsWith('DD_')), ['DD_SERVICE', 'DD_ENV', 'DD_VERSION'])
})

test('--dry-run prints the environment changes as shell and Dockerfile lines, runs nothing', async () => {
  const dir = tempDir()
  const env = cleanEnv({ NODE_OPTIONS: '--no-warnings', DD_API_KEY: 'secretkey1234' })
  const r = await ddRun(['--dry-run', '-s', 'web', '-o', 'out', '--env-file', 'x.env', 'node', '-e', 'process.exit(9)'], { cwd: dir, env })
  // The env file is missing: nothing runs. Node 20 itself scans its script's arguments for --env-file and stops with
  // its own message (exit 9) before dd-run can say so (exit 2); either way the file is named.
  assert.ok(r.code === 2 || r.code === 9, String(r.code))
  assert.match(r.stderr, /x\.env/)
  assert.equal(r.stdout, '')
  fs.writeFileSync(path.join(dir, 'x.env'), 'DD_API_KEY=fromfile5678\n')
  const ok = await ddRun(['--dry-run', '-s', 'web', '-o', 'out', 'node', '-e', 'process.exit(9)'], { cwd: dir, env })
  assert.equal(ok.code, 0, ok.stderr)
  const preload = `--no-warnings --require "${PRELOAD}"`
  assert.equal(
    ok.stdout,
    [
      '# shell',
      `export NODE_OPTIONS='${preload}'`,
      // No agent configured or answering at the default address: files.
      `export DD_PROFILING_EXPORTERS='file'`,
      `export DD_PROFILING_OUTPUT_DIR='${path.join(fs.realpathSync(dir), 'out')}'`,
      `export DD_SERVICE='web'`,
      '',
      '# Dockerfile',
      `ENV NODE_OPTIONS="${preload.replace(/"/g, '\\"')}" \\`,
      `    DD_PROFILING_EXPORTERS="file" \\`,
      `    DD_PROFILING_OUTPUT_DIR="${path.join(fs.realpathSync(dir), 'out')}" \\`,
      `    DD_SERVICE="web"`,
      '',
    ].join('\n'),
  )
  assert.doesNotMatch(ok.stdout, /secretkey/)
})

function canUnshare(): boolean {
  try {
    require('node:child_process').execFileSync('unshare', ['--pid', '--fork', 'true'], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}

test('Ctrl-Z stops the child with dd-run, and SIGCONT resumes both', { skip: !fs.existsSync('/proc/self/stat') && 'needs /proc' }, async () => {
  const { child, done } = start(node, [DD_RUN, 'node', '-e', `console.log(process.pid); setInterval(() => {}, 1000)`], quiet())
  let out = ''
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()))
  await waitFor(() => /\d+\n/.test(out), 20_000, 'the child pid')
  const pid = Number(out.trim())
  const state = (p: number) => fs.readFileSync(`/proc/${p}/stat`, 'utf8').replace(/^.*\) /, '')[0]
  process.kill(child.pid as number, 'SIGTSTP')
  await waitFor(() => state(pid) === 'T' && state(child.pid as number) === 'T', 10_000, 'both to stop')
  process.kill(child.pid as number, 'SIGCONT')
  await waitFor(() => state(pid) !== 'T' && state(child.pid as number) !== 'T', 10_000, 'both to continue')
  process.kill(child.pid as number, 'SIGTERM')
  const r = await done
  assert.equal(r.signal, 'SIGTERM')
})
