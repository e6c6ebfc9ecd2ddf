// Datadog-Container-ID from /proc/self/cgroup (v1 and v2 layouts seen in docker, kubernetes, ECS and systemd) and
// from /proc/self/mountinfo when a private cgroup namespace hides it.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { containerIdFromCgroup, containerIdFromMountinfo } from '../../src/export/container-id'

const ID = '3726184226f5d3147c25fdeab5b60097e378e8a720503a5e19ecfdf29f869860'

describe('containerIdFromCgroup', () => {
  it('reads cgroup v1 docker lines', () => {
    const text = `12:pids:/docker/${ID}\n11:memory:/docker/${ID}\n1:name=systemd:/docker/${ID}\n`
    assert.equal(containerIdFromCgroup(text), ID)
  })
  it('reads cgroup v1 kubernetes lines', () => {
    assert.equal(containerIdFromCgroup(`4:cpu,cpuacct:/kubepods/besteffort/pod3d274242-8ee0-11e9-a8a6-1e68d864ef1a/${ID}\n`), ID)
  })
  it('reads cgroup v2 systemd scopes (docker, containerd, cri-o)', () => {
    assert.equal(containerIdFromCgroup(`0::/system.slice/docker-${ID}.scope\n`), ID)
    assert.equal(containerIdFromCgroup(`0::/kubepods.slice/kubepods-pod1.slice/cri-containerd-${ID}.scope\n`), ID)
    assert.equal(containerIdFromCgroup(`0::/kubepods.slice/crio-${ID}.scope\n`), ID)
  })
  it('reads ECS Fargate task ids and UUIDs', () => {
    assert.equal(containerIdFromCgroup('1:cpu:/ecs/55091c13-b8cf-4801-b527-f4601742204d/432624d2150b349fe35ba397284dea788c2bf66b885d14dfc1569b01890ca7da\n'), '432624d2150b349fe35ba397284dea788c2bf66b885d14dfc1569b01890ca7da')
    assert.equal(containerIdFromCgroup('1:name=systemd:/ecs/34dc0b5e626f2c5c4c5170e34b10e765-1234567890\n'), '34dc0b5e626f2c5c4c5170e34b10e765-1234567890')
    assert.equal(containerIdFromCgroup('1:name=systemd:/uuid/34dc0b5e-626f-2c5c-4c51-70e34b10e765\n'), '34dc0b5e-626f-2c5c-4c51-70e34b10e765')
  })
  it('finds nothing on a host or in a private cgroup v2 namespace', () => {
    assert.equal(containerIdFromCgroup('0::/\n'), undefined)
    assert.equal(containerIdFromCgroup('0::/user.slice/user-1000.slice/session-2.scope\n'), undefined)
    assert.equal(containerIdFromCgroup('12:memory:/user.slice\n1:name=systemd:/init.scope\n'), undefined)
    assert.equal(containerIdFromCgroup(''), undefined)
  })
  it('does not take a 64-hex id that is part of a longer name', () => {
    assert.equal(containerIdFromCgroup(`0::/system.slice/x${ID}y\n`), undefined)
  })
})

describe('containerIdFromMountinfo', () => {
  it('reads the docker hostname mount', () => {
    const line = `668 647 8:1 /var/lib/docker/containers/${ID}/hostname /etc/hostname rw,relatime - ext4 /dev/sda1 rw\n`
    assert.equal(containerIdFromMountinfo('100 1 0:1 / / rw - overlay overlay rw\n' + line), ID)
  })
  it('reads the containerd sandbox mount', () => {
    assert.equal(containerIdFromMountinfo(`1 2 0:3 /var/lib/containerd/io.containerd.grpc.v1.cri/sandboxes/${ID}/hostname /etc/hostname rw - ext4 x rw\n`), ID)
  })
  it('finds nothing on a plain host', () => {
    assert.equal(containerIdFromMountinfo('22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n'), undefined)
  })
})
