// A bundle on disk: a directory holding event.json and the attachments, exactly as an agent would receive them.
// Written under a `.tmp-` name and renamed into place, so a reader never sees a partial bundle. Used by the file
// exporter and by the spool.
import * as fs from 'node:fs'
import * as path from 'node:path'
import { EVENT_FILE, TMP_PREFIX } from './layout'
import type { Attachment, Bundle, ProfileEvent } from './types'

const DIR_MODE = 0o700
const FILE_MODE = 0o600

/** Writes `bundle` as `<parent>/<name>/` atomically and returns that path. */
export function writeBundleDirSync(parent: string, name: string, bundle: Bundle): string {
  fs.mkdirSync(parent, { recursive: true, mode: DIR_MODE })
  const tmp = fs.mkdtempSync(path.join(parent, `${TMP_PREFIX}${name}-`))
  try {
    fs.writeFileSync(path.join(tmp, EVENT_FILE), JSON.stringify(bundle.event), { mode: FILE_MODE })
    for (const a of bundle.attachments) fs.writeFileSync(path.join(tmp, safeName(a.name)), a.data, { mode: FILE_MODE })
    const final = path.join(parent, name)
    fs.renameSync(tmp, final)
    return final
  } catch (err) {
    fs.rmSync(tmp, { recursive: true, force: true })
    throw err
  }
}

export async function writeBundleDir(parent: string, name: string, bundle: Bundle): Promise<string> {
  const fsp = fs.promises
  await fsp.mkdir(parent, { recursive: true, mode: DIR_MODE })
  const tmp = await fsp.mkdtemp(path.join(parent, `${TMP_PREFIX}${name}-`))
  try {
    await fsp.writeFile(path.join(tmp, EVENT_FILE), JSON.stringify(bundle.event), { mode: FILE_MODE })
    for (const a of bundle.attachments) await fsp.writeFile(path.join(tmp, safeName(a.name)), a.data, { mode: FILE_MODE })
    const final = path.join(parent, name)
    await fsp.rename(tmp, final)
    return final
  } catch (err) {
    await fsp.rm(tmp, { recursive: true, force: true })
    throw err
  }
}

/**
 * Reads a bundle directory back; throws when event.json or an attachment it names is missing. Links are never
 * followed: the directory and every file in it must be the real thing (lstat, O_NOFOLLOW), or the bundle is refused,
 * so a symlink planted in the spool cannot make the launcher upload whatever it points at.
 */
export function readBundleDir(dir: string): Bundle {
  const shown = path.basename(dir)
  const st = fs.lstatSync(dir)
  if (st.isSymbolicLink()) throw new Error(`${shown} is a symlink: not followed`)
  if (!st.isDirectory()) throw new Error(`${shown} is not a directory`)
  const event = JSON.parse(readOwnFile(dir, EVENT_FILE).toString('utf8')) as ProfileEvent
  if (!Array.isArray(event.attachments) || !event.attachments.every((n) => typeof n === 'string')) {
    throw new Error(`${shown}/event.json has no list of attachments`)
  }
  const attachments: Attachment[] = event.attachments.map((name) => ({ name, data: readOwnFile(dir, safeName(name)) }))
  return { event, attachments }
}

/** A regular file in dir, read without following a symlink and without blocking on a FIFO. */
function readOwnFile(dir: string, name: string): Buffer {
  const shown = `${path.basename(dir)}/${name}`
  let fd: number
  try {
    fd = fs.openSync(path.join(dir, name), fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK)
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    throw new Error(code === 'ELOOP' ? `${shown} is a symlink: not followed` : `${shown}: ${code ?? (err as Error).message}`)
  }
  try {
    if (!fs.fstatSync(fd).isFile()) throw new Error(`${shown} is not a regular file`)
    return fs.readFileSync(fd)
  } finally {
    fs.closeSync(fd)
  }
}

/** Attachment names come from our own code, but a name is never allowed to leave its directory. */
function safeName(name: string): string {
  return path.basename(name)
}
