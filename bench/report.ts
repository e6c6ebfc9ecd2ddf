// Report generation at scale: `npm run bench:report` (or node dist/bench/report.js [--quick] [--rounds N] [--keep]
// [--timeline]: wall samples with their own end time, as the wall profiler writes by default).
// Generates one hour of 60-second profiles from 8 processes (--processes N for another count) (8 x 60 periods x 2 types = 960 pprof files, in the
// file exporter's layout), then times real `dd-run top` and `dd-run report` processes on it, and, when Debian's
// chromium is installed, how long the page takes to show its flame graph and to switch process and type.
import { spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import * as zlib from 'node:zlib'
import { pathToFileURL } from 'node:url'
import { Profile, StringTable } from 'pprof-format'

const ROOT = path.resolve(__dirname, '..', '..')
const DD_RUN = path.join(ROOT, 'dist', 'bin', 'dd-run.js')
const CHROMIUM = '/usr/bin/chromium'
declare const document: any

const args = process.argv.slice(2)
const quick = args.includes('--quick')
const keep = args.includes('--keep')
const roundsArg = args.indexOf('--rounds')
const rounds = roundsArg >= 0 ? Number(args[roundsArg + 1]) : quick ? 1 : 3
const processesArg = args.indexOf('--processes')
const PROCESSES = processesArg >= 0 ? Number(args[processesArg + 1]) : quick ? 2 : 8
const PERIODS = quick ? 5 : 60
/** --timeline: every wall sample carries its own end time (end_timestamp_ns), as the wall profiler writes by default. */
const TIMELINE = args.includes('--timeline')

/** A small deterministic PRNG (mulberry32), so every run of the bench reads the same profiles. */
function rng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

// An application of 600 functions in 60 files, each calling a few others, and the code paths it runs: 4,000
// distinct stacks (1,000 that allocate), leaves of one call tree as in V8's profiles. Each profile samples 1,500 (wall) or 400 (heap) of them with skewed
// weights, the way a real server's periods repeat the same hot paths.
const FUNCTIONS = 600
const graph = (() => {
  const r = rng(42)
  return Array.from({ length: FUNCTIONS }, (_, i) => ({
    name: `fn${i}_${['handle', 'parse', 'render', 'query', 'encode', 'validate'][i % 6]}`,
    file: `/srv/app/src/module${i % 60}.js`,
    line: 1 + ((i * 37) % 400),
    callees: Array.from({ length: 3 }, () => Math.floor(r() * FUNCTIONS)),
  }))
})()
/** The leaves of a random call tree (the shape V8's profiles have): about `n` root-first stacks, 8 to 40 deep. */
function population(seed: number, n: number): number[][] {
  const r = rng(seed)
  const out: number[][] = []
  const branch = n / 81 > 30 ? 0.3 : 0.2
  const grow = (stack: number[]): void => {
    if (out.length >= n) return
    const d = stack.length
    if (d >= 40 || (d >= 8 && r() < 0.06)) {
      out.push(stack)
      return
    }
    const f = stack[d - 1] as number
    const kids = d < 4 ? 3 : r() < branch ? 2 : 1
    for (let k = 0; k < kids; k++) grow([...stack, (graph[f] as (typeof graph)[number]).callees[(k + d) % 3] as number])
  }
  while (out.length < n) grow([Math.floor(r() * 4)]) // a few entry points
  return out
}
const STACKS = { wall: population(7, 4000), space: population(8, 1000) }

function makeProfile(seed: number, kind: 'wall' | 'space', periodStart = 0): Buffer {
  const r = rng(seed)
  const st = new StringTable()
  const fnId = new Map<number, number>()
  const functions: { id: number; name: number; filename: number }[] = []
  const locations: { id: number; line: { functionId: number; line: number }[] }[] = []
  const id = (f: number): number => {
    let v = fnId.get(f)
    if (v === undefined) {
      v = fnId.size + 1
      fnId.set(f, v)
      const g = graph[f] as (typeof graph)[number]
      functions.push({ id: v, name: st.dedup(g.name), filename: st.dedup(g.file) })
      locations.push({ id: v, line: [{ functionId: v, line: g.line }] })
    }
    return v
  }
  const samples: { locationId: number[]; value: number[]; label?: { key: number; num: bigint }[] }[] = []
  const pool = STACKS[kind]
  const count = kind === 'wall' ? 1500 : 400
  for (let s = 0; s < count; s++) {
    // Skewed: low indexes (the hot paths) are picked far more often.
    const stack = pool[Math.floor(pool.length * r() * r())] as number[]
    const weight = Math.ceil(1 / (r() + 0.01))
    samples.push({
      locationId: stack.map(id).reverse(),
      value: kind === 'wall' ? [weight, weight * 10_101_010, Math.floor(weight * 10_101_010 * r())] : [weight, weight * 512 * 1024],
      ...(TIMELINE && kind === 'wall' ? { label: [{ key: st.dedup('end_timestamp_ns'), num: BigInt(Math.floor(periodStart + r() * 60_000)) * 1_000_000n }] } : {}),
    })
  }
  const types =
    kind === 'wall'
      ? [['sample', 'count'], ['wall', 'nanoseconds'], ['cpu', 'nanoseconds']]
      : [['inuse_objects', 'count'], ['inuse_space', 'bytes']]
  const p = new Profile({
    sampleType: types.map(([t, u]) => ({ type: st.dedup(t as string), unit: st.dedup(u as string) })),
    sample: samples,
    location: locations,
    function: functions,
    stringTable: st,
  })
  return zlib.gzipSync(p.encode())
}

function generate(dir: string): { files: number; bytes: number } {
  let files = 0
  let bytes = 0
  const t0 = Date.parse('2026-11-24T20:00:00Z')
  const runId = '0b0e5c1e-0000-4000-8000-000000000001'
  for (let p = 0; p < PROCESSES; p++) {
    const pid = 1000 + p
    const runtimeId = `${String(p).padStart(8, '0')}-1111-4111-8111-111111111111`
    const role = p === 0 ? 'main' : 'cluster_worker'
    for (let i = 0; i < PERIODS; i++) {
      const start = new Date(t0 + i * 60_000).toISOString()
      const end = new Date(t0 + (i + 1) * 60_000).toISOString()
      const d = path.join(dir, 'web', `${pid}-${role}-${runtimeId.slice(0, 8)}`, `${String(i + 1).padStart(4, '0')}-${end.replace(/\.\d+Z$/, 'Z').replace(/[-:]/g, '')}`)
      fs.mkdirSync(d, { recursive: true })
      const wall = makeProfile(p * 1000 + i, 'wall', t0 + i * 60_000)
      const space = makeProfile(p * 1000 + i + 500, 'space')
      fs.writeFileSync(path.join(d, 'wall.pprof'), wall)
      fs.writeFileSync(path.join(d, 'space.pprof'), space)
      const tags = `service:web,env:bench,process_id:${pid},runtime-id:${runtimeId},run_id:${runId},process_role:${role},snapshot:periodic,profile_seq:${i}${p > 0 ? `,parent_pid:1000,parent_runtime_id:00000000-1111-4111-8111-111111111111` : ''}`
      fs.writeFileSync(path.join(d, 'event.json'), JSON.stringify({ attachments: ['wall.pprof', 'space.pprof'], start, end, family: 'node', version: '4', tags_profiler: tags, info: {} }))
      files += 2
      bytes += wall.length + space.length
    }
  }
  return { files, bytes }
}

/** Elapsed and CPU milliseconds of one `dd-run ...argv` process (CPU time is steadier on a busy machine). */
function timed(argv: string[], scratch: string): { ms: number; cpuMs: number } {
  // A preload that records the process's own CPU time when it exits.
  const probe = path.join(scratch, 'cpu-probe.js')
  const out = path.join(scratch, 'cpu.json')
  fs.writeFileSync(probe, `process.on('exit', () => require('fs').writeFileSync(${JSON.stringify(out)}, JSON.stringify(process.cpuUsage())))\n`)
  const t0 = process.hrtime.bigint()
  const r = spawnSync(process.execPath, ['-r', probe, DD_RUN, ...argv], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } })
  const ms = Number(process.hrtime.bigint() - t0) / 1e6
  if (r.status !== 0) throw new Error(`dd-run ${argv.join(' ')} failed (${r.status}): ${r.stderr}`)
  const cpu = JSON.parse(fs.readFileSync(out, 'utf8')) as { user: number; system: number }
  return { ms, cpuMs: (cpu.user + cpu.system) / 1000 }
}

/** What the page's bytes are: call trees, timeline series, script. */
function pageParts(html: string): string {
  const text = fs.readFileSync(html, 'utf8')
  const m = /<script type="application\/json" id="report-data">([\s\S]*?)<\/script>/.exec(text)
  if (!m) return '?'
  const data = JSON.parse(m[1] as string) as { scopes: unknown; timeline: unknown }
  const mib = (v: unknown): string => (JSON.stringify(v).length / 1024 / 1024).toFixed(1) + ' MiB'
  return `call trees ${mib(data.scopes)}, timeline ${mib(data.timeline)}`
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number

async function browserFigures(html: string): Promise<{ firstGraph: number; switchProcess: number; switchType: number; brush: number } | undefined> {
  if (!fs.existsSync(CHROMIUM)) return undefined
  const { chromium } = require('playwright-core') as typeof import('playwright-core')
  const userData = fs.mkdtempSync(path.join(os.tmpdir(), 'dd-run-bench-chromium-'))
  const context = await chromium.launchPersistentContext(userData, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1400, height: 900 },
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  })
  try {
    const page = await context.newPage()
    const t0 = Date.now()
    await page.goto(pathToFileURL(html).href)
    await page.waitForSelector('#chart g.frame')
    const firstGraph = Date.now() - t0
    const option = await page.$eval('#scope', (s: any) => s.options[s.options.length - 1].value)
    const t1 = Date.now()
    await page.selectOption('#scope', option)
    await page.waitForFunction(() => document.querySelector('#chart g.frame') !== null)
    const switchProcess = Date.now() - t1
    const t2 = Date.now()
    await page.locator('button.type', { hasText: 'Wall time' }).click()
    await page.waitForFunction(() => document.querySelector('#chart g.frame') !== null)
    const switchType = Date.now() - t2
    // Brushing a third of the run on the timeline of "All processes": every view rebuilt from the periods.
    await page.selectOption('#scope', 'all')
    await page.waitForSelector('#tl-brush')
    const box = await page.locator('#tl-brush').boundingBox()
    if (!box) throw new Error('no timeline')
    await page.mouse.move(box.x + box.width * 0.3, box.y + 4)
    await page.mouse.down()
    await page.mouse.move(box.x + box.width * 0.6, box.y + 4, { steps: 2 })
    const t3 = Date.now()
    await page.mouse.up()
    await page.waitForFunction(() => /UTC – /.test(document.querySelector('#chart g.frame')?.getAttribute('name') ?? ''))
    const brush = Date.now() - t3
    return { firstGraph, switchProcess, switchType, brush }
  } finally {
    await context.close()
    fs.rmSync(userData, { recursive: true, force: true })
  }
}

async function main(): Promise<void> {
  if (!fs.existsSync(DD_RUN)) throw new Error('dist/bin/dd-run.js is missing: run `npm run build` first')
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dd-run-bench-report-'))
  try {
    const g0 = Date.now()
    const { files, bytes } = generate(path.join(dir, 'profiles'))
    process.stderr.write(`bench report: ${PROCESSES} processes x ${PERIODS} periods: ${files} pprof files, ${(bytes / 1024 / 1024).toFixed(1)} MiB gzip'ed, generated in ${Date.now() - g0} ms${quick ? ' (quick mode: figures mean little)' : ''}\n`)
    const html = path.join(dir, 'report.html')
    const report: { ms: number; cpuMs: number }[] = []
    const top: { ms: number; cpuMs: number }[] = []
    for (let i = 0; i < rounds; i++) {
      report.push(timed(['report', path.join(dir, 'profiles'), '-o', html], dir))
      top.push(timed(['top', path.join(dir, 'profiles'), '--json'], dir))
    }
    const fig = (xs: { ms: number; cpuMs: number }[]): string =>
      `${(median(xs.map((x) => x.ms)) / 1000).toFixed(2)} s elapsed, ${(median(xs.map((x) => x.cpuMs)) / 1000).toFixed(2)} s CPU`
    const size = fs.statSync(html).size
    const page = await browserFigures(html)
    const lines = [
      `| figure | value |`,
      `|---|---|`,
      `| input | ${files} pprof files (${PROCESSES} processes x ${PERIODS} one-minute periods x wall+heap), ${(bytes / 1024 / 1024).toFixed(1)} MiB |`,
      `| \`dd-run report\` (whole process, median of ${rounds}) | ${fig(report)} |`,
      `| \`dd-run top --type cpu\` (median of ${rounds}) | ${fig(top)} |`,
      `| report page size | ${(size / 1024 / 1024).toFixed(1)} MiB (${pageParts(html)}) |`,
      `| machine | ${os.cpus().length} CPUs, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' / ')} at the end |`,
      ...(page
        ? [
            `| page: load to first flame graph (headless chromium) | ${page.firstGraph} ms |`,
            `| page: switch to one process | ${page.switchProcess} ms |`,
            `| page: switch profile type | ${page.switchType} ms |`,
            `| page: brush a third of the run (all processes) | ${page.brush} ms |`,
          ]
        : [`| page timings | skipped: ${CHROMIUM} is missing |`]),
    ]
    process.stdout.write(lines.join('\n') + '\n')
    if (keep) process.stderr.write(`bench report: kept ${dir}\n`)
  } finally {
    if (!keep) fs.rmSync(dir, { recursive: true, force: true })
  }
}

main().catch((err) => {
  process.stderr.write(`bench report: ${(err as Error).stack ?? String(err)}\n`)
  process.exit(1)
})
