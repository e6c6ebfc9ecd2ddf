// The real bounds behind the settings: past them a value is not "large", it breaks something (a timer that fires at
// once, an addon that throws, a name the backend truncates). Each one says where it comes from.

/**
 * setTimeout and setInterval take at most 2^31-1 ms (about 24.8 days). A longer delay is not refused by Node: it
 * prints a TimeoutOverflowWarning on the app's stderr and uses 1 ms, so an upload period of 1e308 s would export
 * a profile every millisecond. Every setting that ends up in a timer is bounded by this.
 */
export const MAX_TIMER_MS = 2 ** 31 - 1
export const MAX_TIMER_SECONDS = MAX_TIMER_MS / 1000
export const TIMER_LIMIT = "Node's timer limit, 2^31-1 ms"

/**
 * @datadog/pprof passes the heap sampling interval to V8 as a uint32: heap.start(2 ** 32) throws "First argument
 * type must be uint32" (checked with @datadog/pprof 5.20 on Node 20), which would turn the space profiler off.
 */
export const MAX_HEAP_INTERVAL = 2 ** 32 - 1

/**
 * The size cap is counted in bytes in a JavaScript number, exact up to 2^53-1: at most 2^33-1 MiB (8 PiB), far past
 * any disk, but a larger value would make the cap arithmetic inexact.
 */
export const MAX_OUTPUT_MB = 2 ** 33 - 1

/**
 * The Datadog Agent cuts service names to 100 bytes (MaxServiceLen in the agent's pkg/trace/traceutil/normalize.go):
 * a longer one would be filed under a name the user never wrote.
 */
export const MAX_SERVICE_BYTES = 100

/**
 * A Datadog tag, `key:value` included, is at most 200 characters ("Getting Started with Tags" in the Datadog docs;
 * maxTagLength in the same normalize.go): env and version are sent as the tags env:<value> and version:<value>.
 */
export const MAX_TAG_LENGTH = 200
