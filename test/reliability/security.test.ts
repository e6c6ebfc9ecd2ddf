// Security properties, checked on real runs: DD_API_KEY appears in nothing dd-run produces (output, logs, errors,
// event.json, profile files, the run channel, the argv and titles of the launcher and the child); profile files,
// spool and channel are private (files 0600, directories 0700); arguments and env files never go through a shell;
// the preload opens no listening socket and changes no credentials.
import assert from 'node:assert/strict'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { after, describe, it } from 'node:test'
import { FakeAgent } from '../helpers/fake-agent'
import { DD_RUN, fixture } from '../helpers/paths'
import { cleanEnv, ddRun, start, tempDir, waitFor } from '../helpers/run'

const KEY = 'c0ffee11deadbeef2222333344445555'
const agents: FakeAgent[] = []
after(() => Promise.all(agents.map((a) => a.close())))

/** Every file and directory under root, with its content (files only) and mode. */
function walk(root: string): { path: string; dir: boolean; mode: number; data?: Buffer }[] {
  const out: { path: string; dir: boolean; mode: number; data?: Buffer }[] = []
  const visit = (p: string) => {
    let st: fs.Stats
    try {
      st = fs.lstatSync(p)
    } catch {
      return // removed meanwhile
    }
    if (st.isDirectory()) {
      out.push({ path: p, dir: true, mode: st.mode & 0o777 })
      let names: string[] = []
      try {
        names = fs.readdirSync(p)
      } catch {
        /* removed meanwhile */
      }
      for (const n of names) visit(path.join(p, n))
    } else if (st.isFile()) {
      try {
        out.push({ path: p, dir: false, mode: st.mode & 0o777, data: fs.readFileSync(p) })
      } catch {
        /* removed meanwhile */
      }
    }
  }
  visit(root)
  return out
}

const procText = (pid: number, what: string) => {
  try {
    return fs.readFileSync(`/proc/${pid}/${what}`, 'latin1')
  } catch {
    return ''
  }
}

/** Sockets of a process that listen: TCP in LISTEN state, unix sockets accepting connections. */
function listeningSockets(pid: number): string[] {
  const inodes = new Set<string>()
  for (const fd of fs.readdirSync(`/proc/${pid}/fd`)) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(fs.readlinkSync(`/proc/${pid}/fd/${fd}`))
      if (m) inodes.add(m[1] as string)
    } catch {
      /* closed meanwhile */
    }
  }
  const found: string[] = []
  for (const table of ['tcp', 'tcp6', 'udp', 'udp6']) {
    for (const line of procText(pid, `net/${table}`).split('\n').slice(1)) {
      const f = line.trim().split(/\s+/)
      if (f.length > 9 && inodes.has(f[9] as string) && (f[3] === '0A' || table.startsWith('udp'))) found.push(`${table} ${f[1]}`)
    }
  }
  for (const line of procText(pid, 'net/unix').split('\n').slice(1)) {
    const f = line.trim().split(/\s+/)
    // Flags 00010000: __SO_ACCEPTCON, a listening socket.
    if (f.length > 6 && inodes.has(f[6] as string) && f[3] === '00010000') found.push(`unix ${f[7] ?? ''}`)
  }
  return found
}

describe('the API key never shows', () => {
  it('in stdout, stderr (--debug, errors), files, event.json, the channel, argv or process titles', { skip: !fs.existsSync('/proc/self/cmdline') && 'needs /proc' }, async () => {
    // The intake refuses the first upload (an error path that prints), then accepts.
    const intake = await FakeAgent.start({ endpoint: '/api/v2/profile' })
    agents.push(intake)
    intake.script({ status: 403 }, { status: 500 })
    const out = tempDir()
    const tmp = tempDir() // the run channel is created here
    const run = start(process.execPath, [DD_RUN, '--debug', '--exporters', 'agentless,file', '--upload-period', '1', 'node', fixture('reliability/storm.js')], {
      env: cleanEnv({ DD_API_KEY: KEY, DD_PROFILING_AGENTLESS_URL: `${intake.url}/api/v2/profile`, DD_PROFILING_OUTPUT_DIR: out, TMPDIR: tmp }),
      keepStdin: true,
    })
    let stdout = ''
    run.child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()))
    await waitFor(() => /ready \d+/.test(stdout), 20_000, 'the app')
    const child = Number(/ready (\d+)/.exec(stdout)![1])
    const seen: string[] = []
    for (const pid of [run.child.pid!, child]) {
      seen.push(procText(pid, 'cmdline'), procText(pid, 'comm'), procText(pid, 'stat'))
      assert.ok(procText(pid, 'cmdline').length > 0)
    }
    // The channel while the run is on (the launcher removes it at the end), after a few uploads.
    await waitFor(() => intake.uploads.length >= 3, 20_000, 'uploads')
    const channel = walk(tmp)
    run.child.stdin!.end()
    const r = await run.done
    assert.equal(r.code, 0, r.stderr)
    assert.match(r.stderr, /HTTP 403/) // the error path ran
    const files = [...channel, ...walk(out)].filter((f) => !f.dir)
    assert.ok(files.some((f) => f.path.endsWith('event.json')))
    assert.ok(files.some((f) => f.path.includes(`${path.sep}reports${path.sep}`)), 'the channel was seen')
    const everything = [r.stdout, r.stderr, ...seen, ...files.map((f) => f.data!.toString('latin1')), ...intake.uploads.map((u) => JSON.stringify(u.event))]
    for (const text of everything) {
      assert.ok(!text.includes(KEY), 'the key leaked')
      assert.ok(!text.includes(KEY.slice(0, 16)), 'part of the key leaked')
    }
    // It went where it must: the header of each upload.
    assert.ok(intake.uploads.every((u) => u.headers['dd-api-key'] === KEY))
  })
})

describe('privacy and no shell', () => {
  it('profile files and the spool are 0600, their directories and the channel 0700', async () => {
    const out = tempDir()
    const tmp = tempDir()
    const agent = await FakeAgent.start()
    agents.push(agent)
    agent.setDefault('black-hole')
    const run = start(process.execPath, [DD_RUN, '--exporters', 'agent,file', '--upload-period', '1', 'node', fixture('reliability/storm.js')], {
      env: cleanEnv({ DD_TRACE_AGENT_URL: agent.url, DD_PROFILING_OUTPUT_DIR: out, DD_PROFILING_FLUSH_TIMEOUT: '0.5', TMPDIR: tmp }),
      keepStdin: true,
    })
    let stdout = ''
    run.child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()))
    await waitFor(() => /ready \d+/.test(stdout), 20_000, 'the app')
    await waitFor(() => walk(out).some((f) => f.path.endsWith('wall.pprof')), 20_000, 'a bundle')
    const channel = walk(tmp)
    // Stop the child the hard way once the launcher relays: catch the spool by ending the app and watching.
    run.child.stdin!.end()
    const seenSpool: ReturnType<typeof walk> = []
    const poll = setInterval(() => seenSpool.push(...walk(tmp).filter((f) => f.path.includes(`${path.sep}spool${path.sep}`))), 5)
    const r = await run.done
    clearInterval(poll)
    assert.equal(r.code, 0, r.stderr)
    const top = channel.find((f) => f.dir && path.dirname(f.path) === tmp)
    assert.ok(top, 'the channel directory')
    assert.equal(top.mode, 0o700)
    for (const f of [...channel, ...seenSpool, ...walk(out).filter((x) => x.path !== out)]) assert.equal(f.mode, f.dir ? 0o700 : 0o600, `${f.path} ${f.mode.toString(8)}`)
    assert.ok(walk(out).filter((f) => !f.dir).length >= 3)
  })

  it('arguments reach the program as argv, never through a shell', async () => {
    const dir = tempDir()
    const hostile = ['$(touch a)', '`touch b`', '; touch c', '| touch d', '&& touch e', "' touch f '", '"$HOME"', '*']
    const r = await ddRun(['node', '-e', 'process.stdout.write(JSON.stringify(process.argv.slice(1)))', ...hostile], { cwd: dir })
    assert.equal(r.code, 0, r.stderr)
    assert.deepEqual(JSON.parse(r.stdout), hostile)
    assert.deepEqual(fs.readdirSync(dir).filter((f) => f !== 'dd-profiles'), [])
  })

  it('env files are parsed, never executed', async () => {
    const dir = tempDir()
    fs.writeFileSync(path.join(dir, 'evil.env'), ['A=$(touch ran-a)', 'B=`touch ran-b`', 'C="$(touch ran-c)"', 'D=x; touch ran-d'].join('\n'))
    const r = await ddRun(['--env-file', 'evil.env', 'node', '-e', 'const e = process.env; process.stdout.write(JSON.stringify([e.A, e.B, e.C, e.D]))'], { cwd: dir })
    assert.equal(r.code, 0, r.stderr)
    // dotenv takes backticks for quotes, like ' and ": the text between them, as text.
    assert.deepEqual(JSON.parse(r.stdout), ['$(touch ran-a)', 'touch ran-b', '$(touch ran-c)', 'x; touch ran-d'])
    assert.deepEqual(fs.readdirSync(dir).filter((f) => f.startsWith('ran-')), [])
  })
})

describe('the preload does not widen what the app can do', () => {
  it('no listening socket and the same credentials as the app would have, with the agent exporter on', { skip: !fs.existsSync('/proc/self/net/tcp') && 'needs /proc' }, async () => {
    const agent = await FakeAgent.start()
    agents.push(agent)
    const run = start(process.execPath, [DD_RUN, '--exporters', 'agent,file', '--upload-period', '1', 'node', fixture('reliability/storm.js')], {
      env: cleanEnv({ DD_TRACE_AGENT_URL: agent.url }),
      keepStdin: true,
    })
    let stdout = ''
    run.child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()))
    await waitFor(() => /ready \d+/.test(stdout), 20_000, 'the app')
    const child = Number(/ready (\d+)/.exec(stdout)![1])
    // Look while uploads happen.
    await agent.waitForUploads(2)
    const listening = [...listeningSockets(child), ...listeningSockets(run.child.pid!)]
    const creds = (pid: number) => procText(pid, 'status').split('\n').filter((l) => /^(Uid|Gid|Groups|CapEff|CapPrm|NoNewPrivs|Seccomp):/.test(l))
    const childCreds = creds(child)
    const ours = creds(process.pid)
    run.child.stdin!.end()
    const r = await run.done
    assert.equal(r.code, 0, r.stderr)
    assert.deepEqual(listening, [])
    // The check itself sees listeners: this test process runs the fake agent.
    assert.ok(listeningSockets(process.pid).some((l) => l.startsWith('tcp')))
    assert.ok(childCreds.length >= 4)
    assert.deepEqual(childCreds, ours)
  })
})
