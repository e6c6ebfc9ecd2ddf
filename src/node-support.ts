// Which Node.js versions dd-run supports, named once. Two minimums, because two different programs run:
//  - the launcher (`dd-run ...`, its subcommands and the Profiler API's host process) is built and tested on
//    Node 20 and newer (package.json's engines says the same);
//  - the profiled program (every process that loads the preload) needs what @datadog/pprof has a prebuilt addon
//    for: Node 18 and newer (its prebuilds start at ABI 108, Node 18). On an older Node the preload stays off
//    and says so in one line.
// --info, doctor, the preload's guard and the README read these; the README's table of tested versions is checked
// against scripts/node-versions.txt by a test. Kept free of imports: the preload's guard inlines it.

export const LAUNCHER_MIN_NODE_MAJOR = 20
export const PROFILED_MIN_NODE_MAJOR = 18

/**
 * What newer runtimes allow, with the first major that has it (as dd-trace-js 6.21 gates them):
 *  - allocation samples in the heap profile (alloc_objects, alloc_space): V8's sampling heap profiler can tell
 *    live from dead objects (kSamplingForceGC) only from Node 26;
 *  - zstd in zlib: Node 22.15 (and 23.8), checked by feature, not by version (src/export/upload-compression.ts).
 */
export const ALLOCATION_MIN_NODE_MAJOR = 26

/** The major of a version string such as 'v18.20.8' or '24.21.0' (NaN when it is not one). */
export function nodeMajor(version: string): number {
  return parseInt(version.replace(/^v/, '').split('.')[0] || '', 10)
}
