// A small program with one obviously hot function, for trying dd-run:
//   npm run build && npm run example && go tool pprof -top dd-profiles/*/*/*/wall.pprof
// It counts primes for about 3 seconds (computePrimes is where the time goes), then exits.
'use strict'

function computePrimes(limit) {
  const primes = []
  for (let n = 2; primes.length < limit; n++) {
    let prime = true
    for (let d = 2; d * d <= n; d++) {
      if (n % d === 0) {
        prime = false
        break
      }
    }
    if (prime) primes.push(n)
  }
  return primes
}

function formatReport(primes) {
  return `${primes.length} primes, the last one ${primes[primes.length - 1]}`
}

const until = Date.now() + 3000
let rounds = 0
let last = []
while (Date.now() < until) {
  last = computePrimes(20000)
  rounds++
}
console.log(`busy-app: ${rounds} rounds of ${formatReport(last)}`)
