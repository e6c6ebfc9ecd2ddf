// The container id the agent uses to tag profiles (Datadog-Container-ID), read from /proc/self/cgroup, else from
// /proc/self/mountinfo (cgroup v2 with a private cgroup namespace shows only "0::/"), and the entity id
// (Datadog-Entity-ID: `ci-<container id>`, else `in-<inode of the cgroup directory>`, which the agent resolves to
// a container where no id is visible), as dd-trace-js finds them. Pure parsers plus readers.
import * as fs from 'node:fs'

const UUID = '[0-9a-f]{8}[-_][0-9a-f]{4}[-_][0-9a-f]{4}[-_][0-9a-f]{4}[-_][0-9a-f]{12}'
const CONTAINER = '[0-9a-f]{64}'
const ECS_TASK = '[0-9a-f]{32}-\\d+'
const LINE = /^\d+:[^:]*:(.+)$/
// The id is the last path element, possibly as docker-<id>.scope, cri-containerd-<id>.scope or crio-<id>.scope.
const ENTITY = new RegExp(`(?:^|[/-])(${UUID}|${CONTAINER}|${ECS_TASK})(?:\\.scope)?$`)
const MOUNT = new RegExp(`/(?:docker|containers|sandboxes)/(${CONTAINER})/`)

/** From /proc/self/cgroup text, cgroup v1 (`12:memory:/docker/<id>`) or v2 (`0::/system.slice/docker-<id>.scope`). */
export function containerIdFromCgroup(text: string): string | undefined {
  for (const line of text.split('\n')) {
    const m = LINE.exec(line.trim())
    if (!m) continue
    const id = ENTITY.exec(m[1] as string)
    if (id) return id[1]
  }
  return undefined
}

/** From /proc/self/mountinfo text: the id in the paths docker and containerd mount /etc/hostname and friends from. */
export function containerIdFromMountinfo(text: string): string | undefined {
  for (const line of text.split('\n')) {
    const m = MOUNT.exec(line)
    if (m) return m[1]
  }
  return undefined
}

let cached: string | null | undefined

/** This process's container id, or undefined outside a container. Read once. */
export function containerId(): string | undefined {
  if (cached === undefined) cached = read('/proc/self/cgroup', containerIdFromCgroup) ?? read('/proc/self/mountinfo', containerIdFromMountinfo) ?? null
  return cached ?? undefined
}

function read(file: string, parse: (text: string) => string | undefined): string | undefined {
  try {
    return parse(fs.readFileSync(file, 'utf8'))
  } catch {
    return undefined
  }
}

/** The cgroup path of the first line of /proc/self/cgroup, without slashes at its ends (dd-trace-js reads that one). */
export function cgroupPathOf(text: string): string | undefined {
  const first = text.trim().split('\n')[0] ?? ''
  const m = LINE.exec(first.trim())
  return m ? (m[1] as string).replace(/^\/|\/$/g, '') : undefined
}

/** `ci-<id>` from a container id, else `in-<inode>` from the cgroup directory's inode, else undefined. */
export function entityIdOf(container: string | undefined, inode: number | undefined): string | undefined {
  if (container) return `ci-${container}`
  return inode ? `in-${inode}` : undefined
}

let cachedEntity: string | null | undefined

/** This process's Datadog entity id. Read once. */
export function entityId(): string | undefined {
  if (cachedEntity === undefined) {
    let inode: number | undefined
    const cgroupPath = read('/proc/self/cgroup', cgroupPathOf)
    if (cgroupPath !== undefined) {
      try {
        inode = fs.statSync(`/sys/fs/cgroup/${cgroupPath}`).ino
      } catch {
        inode = undefined
      }
    }
    cachedEntity = entityIdOf(containerId(), inode) ?? null
  }
  return cachedEntity ?? undefined
}
