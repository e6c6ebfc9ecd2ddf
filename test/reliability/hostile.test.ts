// Hostile surroundings, with dd-run and real processes: a peer at the agent's address that streams an endless
// body, --only/--skip patterns built to make a regex backtrack, garbage and symlinks planted in the run channel, an
// output directory that is a symlink or belongs to another user. Each time the app's output and exit code stay as
// without dd-run, and dd-run says in one line what it refused.
import assert from 'node:assert/strict'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { after, describe, it } from 'node:test'
import { FakeAgent, type EndlessStream } from '../helpers/fake-agent'
import { fixture } from '../helpers/paths'
import { cleanEnv, ddRun, tempDir, waitFor } from '../helpers/run'

const APP = fixture('reliability/app.js')

const agents: FakeAgent[] = []
after(() => Promise.all(agents.map((a) => a.close())))
async function endlessAgent(): Promise<FakeAgent> {
  const a = await FakeAgent.start()
  a.setDefault({ status: 200, endless: true })
  agents.push(a)
  return a
}

/**
 * dd-run reads at most 4 KiB of an answer. The fake agent writes 1 KiB a millisecond, so a client that stops at
 * the cap leaves a count of a few KiB plus what was written while it reacted (4 to 20 KiB measured); a client that
 * reads on leaves hundreds of KiB within the 2.5 s app run (700 KiB measured before the fix).
 */
const NEAR_THE_CAP = 128 * 1024

function assertDropped(streams: readonly EndlessStream[], what: string): void {
  assert.ok(streams.length > 0, `no endless answer was given (${what})`)
  for (const s of streams) {
    assert.ok(s.closed, `${what}: the connection for ${s.path} was left open`)
    assert.ok(s.bytes <= NEAR_THE_CAP, `${what}: ${s.bytes} bytes of an endless body to ${s.path} were taken`)
  }
}

describe('an agent address that answers 200 and then streams an endless body', () => {
  it('uploads read a few KiB of the answer and drop the connection; the app runs as without dd-run', async () => {
    const agent = await endlessAgent()
    const r = await ddRun(['--exporters', 'agent', 'node', APP, '2500', '5'], {
      env: cleanEnv({ DD_PROFILING_UPLOAD_PERIOD: '1', DD_TRACE_AGENT_URL: agent.url, DD_PROFILING_FLUSH_TIMEOUT: '2', DD_PROFILING_OUTPUT_DIR: tempDir() }),
    })
    assert.equal(r.code, 5, r.stderr)
    assert.equal(r.stdout, 'start\ndone\n')
    const uploads = agent.endless.filter((s) => s.path === '/profiling/v1/input')
    assert.ok(uploads.length >= 2, `${uploads.length} upload(s) answered`)
    // A 200 is a delivery, however long the body that follows would have been.
    assert.match(r.stderr, /profiled, \d+ bundles? \(\d+ to agent/)
    assert.doesNotMatch(r.stderr, /failures:/)
    await waitClosed(agent)
    assertDropped(agent.endless, 'uploads')
  })

  it('the launcher\'s probe (--info) reads a few KiB of /info, drops the connection and exits', async () => {
    const agent = await endlessAgent()
    const r = await ddRun(['--info'], { env: cleanEnv({ DD_TRACE_AGENT_URL: agent.url }), timeoutMs: 30_000 })
    assert.equal(r.code, 0, r.stderr)
    assert.equal(r.signal, null, 'dd-run --info did not end by itself')
    await waitClosed(agent)
    assertDropped(agent.endless.filter((s) => s.path === '/info'), 'probe')
  })

  it('doctor\'s agent check reads a few KiB of each answer and passes', async () => {
    const agent = await endlessAgent()
    const dir = tempDir()
    const r = await ddRun(['doctor'], { cwd: dir, env: cleanEnv({ DD_TRACE_AGENT_URL: agent.url, DD_PROFILING_OUTPUT_DIR: dir }), timeoutMs: 120_000 })
    assert.match(r.stdout.split('\n').find((l) => /\bagent\b/.test(l)) ?? '', /^ok .*accepted a profile upload/, r.stdout)
    await waitClosed(agent)
    assertDropped(agent.endless.filter((s) => s.path === '/info'), 'doctor probe')
    assertDropped(agent.endless.filter((s) => s.path !== '/info'), 'doctor upload')
  })
})

/** The client's hang-up reaches the fake agent a moment after the client process is gone. */
async function waitClosed(agent: FakeAgent): Promise<void> {
  await waitFor(() => agent.endless.every((s) => s.closed), 10_000, 'the endless connections to close').catch(() => {})
}

/** `node -e` source: plants files in the run channel, then prints one line. */
function planter(body: string): string {
  return `const fs = require('fs'), path = require('path'); const channel = process.env.DD_RUN_CHANNEL; ${body}; process.stdout.write('planted\\n'); process.exitCode = 3`
}

describe('a malformed report file in the run channel', () => {
  it('costs one line naming the file and what is wrong; the rest of the summary is intact', async () => {
    const script = planter(`
      const dir = path.join(channel, 'reports')
      fs.mkdirSync(dir, { recursive: true })
      fs.writeFileSync(path.join(dir, '999991-0.json'), 'garbage{')
      fs.writeFileSync(path.join(dir, '999992-0.json'), JSON.stringify({ pid: 999992, threadId: 0, role: 5, command: 'x', state: 'profiled' }))
      fs.writeFileSync(path.join(dir, '999993-0.json'), JSON.stringify([1, 2]))
      fs.symlinkSync('/etc/passwd', path.join(dir, '999994-0.json'))
    `)
    const r = await ddRun(['--exporters', 'file', 'node', '-e', script], { env: cleanEnv({ DD_PROFILING_OUTPUT_DIR: tempDir() }) })
    assert.equal(r.code, 3, r.stderr)
    assert.equal(r.stdout, 'planted\n')
    assert.doesNotMatch(r.stderr, /could not finish the run/)
    // The app's own line, as without the planted files.
    assert.match(r.stderr, /run summary: 1 Node process, 1 profiled, 1 bundle/)
    assert.match(r.stderr, /\d+ +main +.*: profiled, 1 bundle \(1 to file/)
    const bad = r.stderr.split('\n').filter((l) => /in the run channel ignored/.test(l))
    assert.equal(bad.length, 4, r.stderr)
    assert.match(bad[0]!, /reports\/999991-0\.json in the run channel ignored: not valid JSON$/)
    assert.match(bad[1]!, /reports\/999992-0\.json in the run channel ignored: role is the number 5, expected a string; startedAt missing, expected a string; exported missing/)
    assert.match(bad[2]!, /reports\/999993-0\.json in the run channel ignored: not a JSON object$/)
    assert.match(bad[3]!, /reports\/999994-0\.json in the run channel ignored: a symlink, not followed$/)
    assert.doesNotMatch(r.stderr, /root:/, 'the symlink target was read')
  })
})

describe('a symlink in the spool', () => {
  it('a bundle with a symlinked file, or a symlinked bundle directory, is refused with one line; the others are relayed', async () => {
    const agent = await FakeAgent.start()
    agents.push(agent)
    const outside = tempDir()
    fs.writeFileSync(path.join(outside, 'secret.txt'), 'SECRET-NOT-FOR-UPLOAD')
    const event = { attachments: ['wall.pprof'], start: '2026-11-25T10:00:00Z', end: '2026-11-25T10:00:01Z', family: 'node', version: '4', tags_profiler: 'service:planted' }
    fs.mkdirSync(path.join(outside, 'bundle'))
    fs.writeFileSync(path.join(outside, 'bundle', 'event.json'), JSON.stringify(event))
    fs.symlinkSync(path.join(outside, 'secret.txt'), path.join(outside, 'bundle', 'wall.pprof'))
    // The app plants, under its own pid, a bundle whose attachment is a symlink and a bundle directory that is one;
    // then process.exit() makes its own final profile go through the spool (the agent needs the network).
    const script = planter(`
      const dir = path.join(channel, 'spool', 'agent')
      fs.mkdirSync(dir, { recursive: true })
      const linked = path.join(dir, process.pid + '-0-900')
      fs.mkdirSync(linked)
      fs.writeFileSync(path.join(linked, 'event.json'), fs.readFileSync(${JSON.stringify(path.join(outside, 'bundle', 'event.json'))}))
      fs.symlinkSync(${JSON.stringify(path.join(outside, 'secret.txt'))}, path.join(linked, 'wall.pprof'))
      fs.symlinkSync(${JSON.stringify(path.join(outside, 'bundle'))}, path.join(dir, process.pid + '-0-901'))
      process.stdout.write('planted\\n')
      process.exit(3)
    `)
    const r = await ddRun(['--exporters', 'agent', 'node', '-e', script], {
      env: cleanEnv({ DD_TRACE_AGENT_URL: agent.url, DD_PROFILING_UPLOAD_PERIOD: '60', DD_PROFILING_OUTPUT_DIR: tempDir() }),
    })
    assert.equal(r.code, 3, r.stderr)
    assert.equal(r.stdout, 'planted\n')
    // The app's own final profile went through the spool and was relayed.
    assert.equal(agent.uploads.length, 1, r.stderr)
    assert.match(agent.uploads[0]!.event.tags_profiler, /snapshot:on_shutdown/)
    assert.doesNotMatch(agent.uploads[0]!.event.tags_profiler, /service:planted/)
    assert.equal(agent.invalid.length, 0, `something else was uploaded: ${agent.invalid.join(' | ')}`)
    assert.equal(agent.requestCount, 1)
    const line = r.stderr.split('\n').find((l) => /main .*profiled, 1 bundle/.test(l)) ?? ''
    assert.match(line, /-0-900\/wall\.pprof is a symlink: not followed/, r.stderr)
    assert.match(line, /-0-901 is a symlink: not followed/, r.stderr)
    assert.doesNotMatch(r.stderr, /SECRET/)
  })
})

describe('an output directory that is not the user\'s own (a job run as root in a shared sticky directory)', () => {
  const OTHER = 12345
  const isRoot = process.getuid?.() === 0

  /** A sticky, world-writable directory like /tmp, and another user's tree in it, with old-looking bundles. */
  function shared(): { dir: string; victim: string; victimBundle: string; home: string } {
    const dir = tempDir('dd-run-shared-')
    fs.chmodSync(dir, 0o1777)
    const victim = path.join(dir, 'victim-tree')
    // Looks like an old bundle of dd-run's own layout: a size cap that walked here would delete it.
    const victimBundle = path.join(victim, 'svc', '1-main-abcdefgh', '0001-20200101T000000Z')
    fs.mkdirSync(victimBundle, { recursive: true })
    fs.writeFileSync(path.join(victimBundle, 'wall.pprof'), Buffer.alloc(2 * 1024 * 1024))
    for (const p of [victim, path.join(victim, 'svc'), path.dirname(victimBundle), victimBundle, path.join(victimBundle, 'wall.pprof')]) fs.chownSync(p, OTHER, OTHER)
    return { dir, victim, victimBundle, home: tempDir('dd-run-home-') }
  }

  function envFor(home: string): NodeJS.ProcessEnv {
    // The default output directory, ./dd-profiles, and a 1 MiB cap that the victim's tree alone exceeds.
    const env = cleanEnv({ HOME: home, DD_PROFILING_OUTPUT_MAX_MB: '1' })
    delete env.DD_PROFILING_OUTPUT_DIR
    return env
  }

  const APP_ARGS = ['--exporters', 'file', 'node', '-e', "process.stdout.write('app ran\\n'); process.exitCode = 4"]

  function bundlesUnder(dir: string): string[] {
    if (!fs.existsSync(dir)) return []
    return (fs.readdirSync(dir, { recursive: true }) as string[]).filter((f) => f.endsWith('event.json'))
  }

  function assertRefused(r: Awaited<ReturnType<typeof ddRun>>, s: ReturnType<typeof shared>, why: RegExp): void {
    assert.equal(r.code, 4, r.stderr)
    assert.equal(r.stdout, 'app ran\n')
    const warnings = r.stderr.split('\n').filter((l) => /output directory refused/.test(l))
    assert.equal(warnings.length, 1, r.stderr)
    assert.match(warnings[0]!, why)
    const fallback = path.join(s.home, '.dd-run', 'profiles')
    assert.ok(warnings[0]!.includes(`profiles go to ${fallback} instead`), warnings[0])
    // Nothing written in the other user's tree, nothing of it deleted; the profile is in the private fallback.
    assert.deepEqual(bundlesUnder(s.victim), [])
    assert.ok(fs.existsSync(path.join(s.victimBundle, 'wall.pprof')), 'the size cap deleted in the other user\'s tree')
    assert.equal(bundlesUnder(fallback).length, 1, r.stderr)
    assert.equal(fs.statSync(fallback).mode & 0o777, 0o700)
  }

  it('a symlink owned by another user is refused with one warning; profiles go to a private fallback', { skip: !isRoot && 'needs root to chown' }, async () => {
    const s = shared()
    const link = path.join(s.dir, 'dd-profiles')
    fs.symlinkSync(s.victim, link)
    fs.lchownSync(link, OTHER, OTHER)
    const r = await ddRun(APP_ARGS, { cwd: s.dir, env: envFor(s.home) })
    assertRefused(r, s, new RegExp(`dd-profiles is a symlink owned by uid ${OTHER}, not by you`))
  })

  it('a directory owned by another user is refused the same way', { skip: !isRoot && 'needs root to chown' }, async () => {
    const s = shared()
    fs.renameSync(s.victim, path.join(s.dir, 'dd-profiles'))
    s.victimBundle = s.victimBundle.replace(s.victim, path.join(s.dir, 'dd-profiles'))
    s.victim = path.join(s.dir, 'dd-profiles')
    const r = await ddRun(APP_ARGS, { cwd: s.dir, env: envFor(s.home) })
    assertRefused(r, s, new RegExp(`dd-profiles is a directory owned by uid ${OTHER}, not by you`))
  })

  it('my own symlink to another user\'s directory is refused too (the directory is checked after resolving)', { skip: !isRoot && 'needs root to chown' }, async () => {
    const s = shared()
    fs.symlinkSync(s.victim, path.join(s.dir, 'dd-profiles'))
    const r = await ddRun(APP_ARGS, { cwd: s.dir, env: envFor(s.home) })
    assertRefused(r, s, new RegExp(`dd-profiles \\(a symlink to .*victim-tree\\) is a directory owned by uid ${OTHER}`))
  })

  it('my own symlink to my own directory keeps working, without a warning', async () => {
    const dir = tempDir()
    const mine = path.join(dir, 'elsewhere')
    fs.mkdirSync(mine)
    fs.symlinkSync(mine, path.join(dir, 'dd-profiles'))
    const home = tempDir('dd-run-home-')
    const r = await ddRun(APP_ARGS, { cwd: dir, env: envFor(home) })
    assert.equal(r.code, 4, r.stderr)
    assert.equal(r.stdout, 'app ran\n')
    assert.doesNotMatch(r.stderr, /refused/)
    assert.equal(bundlesUnder(mine).length, 1, r.stderr)
    assert.equal(fs.existsSync(path.join(home, '.dd-run')), false)
  })
})

describe('--only / --skip patterns built to make a regular expression backtrack', () => {
  it('a process with a long argument starts and is matched at once (the app runs, the summary says why it is dormant)', async () => {
    const pattern = `${'a*'.repeat(16)}b`
    const r = await ddRun(['--exporters', 'file', '--only', pattern, 'node', '-e', "process.stdout.write('ran\\n')", 'a'.repeat(5000)], { timeoutMs: 30_000 })
    assert.equal(r.signal, null, 'dd-run was killed: the pattern did not finish')
    assert.equal(r.code, 0, r.stderr)
    assert.equal(r.stdout, 'ran\n')
    assert.match(r.stderr, /dormant \(matches none of DD_PROFILING_ONLY/)
  })
})
