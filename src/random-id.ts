// A random (version 4) UUID for runtime ids and run ids. node:crypto costs 2-3 ms to load in every profiled
// process, for 16 random bytes: they are read from /dev/urandom instead, and crypto is the fallback where that
// device is missing (Windows, a bare chroot).
import * as fs from 'node:fs'

export function randomUuid(): string {
  const b = Buffer.alloc(16)
  try {
    const fd = fs.openSync('/dev/urandom', 'r')
    try {
      if (fs.readSync(fd, b, 0, 16, null) !== 16) throw new Error('short read')
    } finally {
      fs.closeSync(fd)
    }
  } catch {
    return (require('node:crypto') as typeof import('node:crypto')).randomUUID()
  }
  b[6] = ((b[6] as number) & 0x0f) | 0x40
  b[8] = ((b[8] as number) & 0x3f) | 0x80
  const h = b.toString('hex')
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`
}
