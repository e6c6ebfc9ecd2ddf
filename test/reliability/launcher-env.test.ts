// The launcher's own environment, with real processes. NODE_OPTIONS (--require, --inspect, --inspect-brk,
// -r dd-trace/init) act in the command only, never in dd-run's own Node process: the installed `dd-run` (the sh
// wrapper in bin/, also reached through npm's symlinks) starts the launcher without them. A temporary directory that
// is missing, a file, read-only or full, and a run channel broken at exit: the app runs unchanged, and a final
// profile that cannot be handed to the launcher is written to the output directory, once, with one warning.
import assert from 'node:assert/strict'
import * as fs from 'node:fs'
import * as http from 'node:http'
import * as path from 'node:path'
import { after, describe, it } from 'node:test'
import { channelParents } from '../../src/run/channel-layout'
import { FakeAgent } from '../helpers/fake-agent'
import { DD_RUN, ROOT } from '../helpers/paths'
import { listBundles } from '../helpers/profiles'
import { mountTmpfs } from '../helpers/tmpfs'
import { cleanEnv, ddRun, start, tempDir, waitFor, type RunResult } from '../helpers/run'

/** The installed command: package.json's "bin". */
const WRAPPER = path.join(ROOT, 'bin', 'dd-run')
const isRoot = process.getuid?.() === 0

function wrapper(args: string[], env: NodeJS.ProcessEnv, cwd = ROOT): Promise<RunResult> {
  return start(WRAPPER, args, { env, cwd }).done
}

/** A file for `--require` that appends "<pid> <main script's name>" to $PROBE_OUT: one line per process it ran in. */
function probe(dir: string): { file: string; out: string; lines: () => string[] } {
  const file = path.join(dir, 'probe.js')
  const out = path.join(dir, 'probe.out')
  fs.writeFileSync(
    file,
    `require('fs').appendFileSync(process.env.PROBE_OUT, process.pid + ' ' + require('path').basename(process.argv[1] || '-') + ' ' + Boolean(global._ddtrace) + '\\n')\n`,
  )
  return { file, out, lines: () => (fs.existsSync(out) ? fs.readFileSync(out, 'utf8').trim().split('\n') : []) }
}

/** A tiny app that prints what it was given. */
function app(dir: string): string {
  const file = path.join(dir, 'app.js')
  fs.writeFileSync(
    file,
    `process.stdout.write(JSON.stringify({ nodeOptions: process.env.NODE_OPTIONS ?? null, saved: process.env.DD_RUN_USER_NODE_OPTIONS ?? null, ddtrace: Boolean(global._ddtrace) }) + '\\n')\n`,
  )
  return file
}

const debuggerLines = (stderr: string) => stderr.split('\n').filter((l) => l.startsWith('Debugger listening on ws://'))

describe('NODE_OPTIONS act in the command only, never in the launcher', () => {
  it('a --require file runs once, in the app, through the wrapper and through npm-style symlinks to it', async () => {
    const dir = tempDir()
    const p = probe(dir)
    const main = app(dir)
    // npm's global layout: <prefix>/bin/dd-run -> ../lib/node_modules/dd-run/bin/dd-run, itself a link here.
    const lib = path.join(dir, 'lib', 'node_modules')
    fs.mkdirSync(lib, { recursive: true })
    fs.symlinkSync(ROOT, path.join(lib, 'dd-run'))
    fs.mkdirSync(path.join(dir, 'bin'))
    fs.symlinkSync(path.join('..', 'lib', 'node_modules', 'dd-run', 'bin', 'dd-run'), path.join(dir, 'bin', 'dd-run'))
    for (const entry of [WRAPPER, path.join(dir, 'bin', 'dd-run')]) {
      fs.rmSync(p.out, { force: true })
      const userOptions = `--require ${p.file}`
      const r = await start(entry, ['node', main], { env: cleanEnv({ NODE_OPTIONS: userOptions, PROBE_OUT: p.out }) }).done
      assert.equal(r.code, 0, r.stderr)
      const seen = JSON.parse(r.stdout) as { nodeOptions: string; saved: string | null }
      assert.ok(seen.nodeOptions.startsWith(`${userOptions} --require "`), seen.nodeOptions) // the user's, then ours
      assert.equal(seen.saved, null, 'the private variable does not reach the command')
      const lines = p.lines()
      assert.equal(lines.length, 1, `${entry}: ${lines.join(' | ')}`)
      assert.match(lines[0] as string, / app\.js /)
    }
  })

  it('without the wrapper (node dist/bin/dd-run.js) NODE_OPTIONS still reach the app as before', async () => {
    const dir = tempDir()
    const p = probe(dir)
    const r = await ddRun(['node', app(dir)], { env: cleanEnv({ NODE_OPTIONS: `--require ${p.file}`, PROBE_OUT: p.out }) })
    assert.equal(r.code, 0, r.stderr)
    assert.ok((JSON.parse(r.stdout) as { nodeOptions: string }).nodeOptions.startsWith(`--require ${p.file} --require "`))
    assert.ok(p.lines().some((l) => / app\.js /.test(l)), p.lines().join(' | '))
  })

  it('an empty NODE_OPTIONS stays set, an unset one stays unset (dry run through the wrapper)', async () => {
    const unset = await wrapper(['--dry-run', 'node', 'x.js'], cleanEnv())
    const empty = await wrapper(['--dry-run', 'node', 'x.js'], cleanEnv({ NODE_OPTIONS: '' }))
    assert.equal(unset.code, 0, unset.stderr)
    assert.equal(empty.code, 0, empty.stderr)
    for (const r of [unset, empty]) {
      assert.match(r.stdout, /^export NODE_OPTIONS='--require "[^']*preload[/\\]index\.js"'$/m)
      assert.doesNotMatch(r.stdout, /DD_RUN_USER_NODE_OPTIONS/)
    }
  })

  it('--inspect: only the app opens a debugger', async () => {
    const dir = tempDir()
    const r = await wrapper(['node', app(dir)], cleanEnv({ NODE_OPTIONS: '--inspect=127.0.0.1:0' }))
    assert.equal(r.code, 0, r.stderr)
    assert.equal(debuggerLines(r.stderr).length, 1, r.stderr)
    assert.match((JSON.parse(r.stdout) as { nodeOptions: string }).nodeOptions, /^--inspect=127\.0\.0\.1:0 --require "/)
  })

  it('--inspect-brk: --dry-run and --info end; in a run the app waits for the debugger, not the launcher', async () => {
    const env = cleanEnv({ NODE_OPTIONS: '--inspect-brk=127.0.0.1:0' })
    for (const args of [['--dry-run', 'node', 'x.js'], ['--info']]) {
      const r = await start(WRAPPER, args, { env, timeoutMs: 30_000 }).done
      assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`)
      assert.equal(debuggerLines(r.stderr).length, 0, r.stderr)
    }
    const dir = tempDir()
    const main = app(dir)
    const run = start(WRAPPER, ['node', main], { env, timeoutMs: 30_000 })
    let stderr = ''
    run.child.stderr?.on('data', (d: string) => (stderr += d))
    await waitFor(() => debuggerLines(stderr).length > 0, 20_000, 'a debugger')
    const port = /ws:\/\/127\.0\.0\.1:(\d+)\//.exec(stderr)?.[1]
    const targets = JSON.parse(await get(`http://127.0.0.1:${port}/json/list`)) as { url: string }[]
    assert.deepEqual(targets.map((t) => t.url), [`file://${main}`], 'the waiting process is the app')
    // The launcher is the wrapper's process (exec) and the app's parent: it waits for its child, not a debugger.
    const children = fs.readdirSync(`/proc/${run.child.pid}/task`).flatMap((t) => fs.readFileSync(`/proc/${run.child.pid}/task/${t}/children`, 'utf8').trim().split(/\s+/).filter(Boolean))
    assert.equal(children.length, 1, 'one child: the app')
    process.kill(Number(children[0]), 'SIGKILL')
    const r = await run.done
    assert.equal(r.signal ?? String(r.code), 'SIGKILL', 'dd-run ends as its command did')
    assert.equal(debuggerLines(r.stderr).length, 1, r.stderr)
  })

  it('-r dd-trace/init: dd-trace loads in the app only', async () => {
    const dir = tempDir()
    const p = probe(dir)
    // dd-trace is a devDependency: --require resolves it from the working directory, the checkout.
    const r = await wrapper(['node', app(dir)], cleanEnv({
      NODE_OPTIONS: `-r dd-trace/init --require ${p.file}`,
      PROBE_OUT: p.out,
      DD_TRACE_STARTUP_LOGS: 'false',
      DD_INSTRUMENTATION_TELEMETRY_ENABLED: 'false',
    }))
    assert.equal(r.code, 0, r.stderr)
    assert.equal((JSON.parse(r.stdout) as { ddtrace: boolean }).ddtrace, true, 'dd-trace runs in the app')
    assert.deepEqual(p.lines().map((l) => l.split(' ').slice(1).join(' ')), ['app.js true'], 'and in no other process')
  })
})

function get(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    http.get(url, (res) => {
      let body = ''
      res.setEncoding('utf8').on('data', (d: string) => (body += d)).on('end', () => resolve(body))
    }).on('error', reject)
  })
}

/** A short app: prints, works a little, exits 3. With a 60 s upload period its only profile is the final one. */
function shortApp(dir: string, body = ''): string {
  const file = path.join(dir, 'short.js')
  fs.writeFileSync(file, `${body}\nlet x = 0; const end = Date.now() + 300; while (Date.now() < end) x += Math.sqrt(x + 1)\nconsole.log('done')\nprocess.exitCode = 3\n`)
  return file
}

const agents: FakeAgent[] = []
after(() => Promise.all(agents.map((a) => a.close())))
async function agentEnv(out: string, extra: NodeJS.ProcessEnv = {}): Promise<NodeJS.ProcessEnv> {
  const agent = await FakeAgent.start()
  agents.push(agent)
  return cleanEnv({ DD_PROFILING_EXPORTERS: 'agent', DD_TRACE_AGENT_URL: agent.url, DD_PROFILING_UPLOAD_PERIOD: '60', DD_PROFILING_OUTPUT_DIR: out, ...extra })
}

const warnings = (stderr: string) => stderr.split('\n').filter((l) => /^dd-run: (?!run summary| )/.test(l))

describe('the temporary directory', () => {
  it('the channel is tried in TMPDIR, then /tmp, /var/tmp and /dev/shm, each once', () => {
    assert.deepEqual(channelParents('/srv/tmp/', 'linux'), ['/srv/tmp', '/tmp', '/var/tmp', '/dev/shm'])
    assert.deepEqual(channelParents('/tmp', 'linux'), ['/tmp', '/var/tmp', '/dev/shm'])
  })

  const readOnly = mountTmpfs('ro,size=64k')
  const cases: [string, () => string | undefined][] = [
    ['missing', () => '/nonexistent/dd-run-tmp'],
    ['a regular file', () => {
      const f = path.join(tempDir(), 'file')
      fs.writeFileSync(f, '')
      return f
    }],
    ['read-only', () => readOnly],
  ]
  for (const [what, tmp] of cases) {
    it(`TMPDIR ${what}: the app runs unchanged and the channel falls back to /tmp, silently`, { skip: what === 'read-only' && !readOnly && 'needs root to mount a read-only tmpfs' }, async () => {
      const dir = tempDir()
      const r = await ddRun(['node', shortApp(dir)], { env: cleanEnv({ TMPDIR: tmp() as string, DD_PROFILING_UPLOAD_PERIOD: '60', DD_PROFILING_OUTPUT_DIR: dir }) })
      assert.equal(r.code, 3, r.stderr)
      assert.equal(r.stdout, 'done\n')
      assert.deepEqual(warnings(r.stderr), [])
      assert.match(r.stderr, /run summary: 1 Node process, 1 profiled, 1 bundle/)
      assert.equal(listBundles(dir).length, 1)
    })
  }

  it('no temporary directory writable at all: one warning, the app runs, the final profile is written to the output directory', { skip: !isRoot && 'needs root for a mount namespace' }, async () => {
    const out = tempDir()
    const dir = tempDir()
    const env = await agentEnv(out, { TMPDIR: '/nonexistent/dd-run-tmp' })
    // In a mount namespace of its own: /tmp read-only (but the output directory, a mount of its own, writable),
    // /var/tmp and /dev/shm read-only tmpfs.
    const script = [
      'mount --bind "$OUT" "$OUT"',
      'mount --rbind /tmp /tmp',
      'mount -o remount,bind,ro /tmp',
      'mount -t tmpfs -o ro,size=64k tmpfs /var/tmp',
      'mount -t tmpfs -o ro,size=64k tmpfs /dev/shm',
      'exec "$NODE" "$DD_RUN" node "$APP"',
    ].join(' && ')
    const r = await start('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', script], {
      env: { ...env, OUT: out, NODE: process.execPath, DD_RUN, APP: shortApp(dir) },
    }).done
    assert.equal(r.code, 3, r.stderr)
    assert.equal(r.stdout, 'done\n')
    const w = warnings(r.stderr)
    assert.equal(w.filter((l) => /no writable temporary directory for the run channel \(tried \/nonexistent\/dd-run-tmp \(ENOENT\), \/tmp \(EROFS\)/.test(l)).length, 1, r.stderr)
    assert.equal(w.filter((l) => /^dd-run: agent: dd-run has no run channel .*written to /.test(l)).length, 1, r.stderr)
    assert.equal(w.length, 2, r.stderr)
    assert.equal(listBundles(out).length, 1)
  })
})

describe('the final profile when the spool cannot be written', () => {
  it('the channel\'s spool is not a directory at exit: the bundle goes to the output directory, one warning, the summary counts it', async () => {
    const out = tempDir()
    const dir = tempDir()
    // A file where the spool directory would go: what a broken or tampered channel looks like to the writer.
    const main = shortApp(dir, `require('fs').writeFileSync(require('path').join(process.env.DD_RUN_CHANNEL, 'spool'), '')`)
    const r = await ddRun(['node', main], { env: await agentEnv(out) })
    assert.equal(r.code, 3, r.stderr)
    assert.equal(r.stdout, 'done\n')
    const w = warnings(r.stderr)
    assert.equal(w.length, 1, r.stderr)
    assert.match(w[0] as string, /^dd-run: agent: the final profile could not be handed to dd-run \(ENOTDIR[^)]*\), so the final profile was written to /)
    assert.match(r.stderr, /run summary: 1 Node process, 1 profiled, 1 bundle/)
    assert.match(r.stderr, /1 to file /)
    assert.equal(listBundles(out).length, 1)
  })

  it('the temporary directory is nearly full: the bundle goes to the output directory, one warning, the summary counts it', { skip: !isRoot && 'needs root to mount a small tmpfs' }, async () => {
    const tmp = mountTmpfs('size=256k')
    assert.ok(tmp, 'tmpfs mounted')
    const out = tempDir()
    const dir = tempDir()
    // Fills the file system up to its last 8 KiB: room for a small report, not for a bundle of several files.
    const fill = [
      `const fs = require('fs'), path = require('path')`,
      `const reserve = path.join(${JSON.stringify(tmp)}, 'reserve'), filler = path.join(${JSON.stringify(tmp)}, 'filler')`,
      `fs.writeFileSync(reserve, Buffer.alloc(8192))`,
      `const fd = fs.openSync(filler, 'w'); try { for (;;) fs.writeSync(fd, Buffer.alloc(4096)) } catch (e) { if (e.code !== 'ENOSPC') throw e } fs.closeSync(fd)`,
      `fs.rmSync(reserve)`,
    ].join('\n')
    const r = await ddRun(['node', shortApp(dir, fill)], { env: await agentEnv(out, { TMPDIR: tmp }) })
    assert.equal(r.code, 3, r.stderr)
    assert.equal(r.stdout, 'done\n')
    const w = warnings(r.stderr)
    assert.equal(w.length, 1, r.stderr)
    assert.match(w[0] as string, /^dd-run: agent: the final profile could not be handed to dd-run \(ENOSPC[^)]*\), so the final profile was written to /)
    assert.match(r.stderr, /1 to file /)
    assert.equal(listBundles(out).length, 1)
    fs.rmSync(path.join(tmp, 'filler'))
  })
})
