// The soak's verdicts: pure functions from what was observed to pass/fail lines, kept apart
// from the load and the servers so they are unit-tested (bench/test/soak-invariants.test.js).

/**
 * RSS growth allowed per process between the end of the warm-up and the end of the run. RSS
 * moves with garbage collection (runs so far: -41 to +42 MiB), so this only catches large leaks
 * (about 1 MiB/s over 60 s); small ones are the fuzz suite's heap check's (docs/bench/soak.md).
 */
export const RSS_GROWTH_BOUND_BYTES = 64 * 1024 * 1024
/** Event-loop delay p99 allowed in every scrape of every process, in seconds. */
export const EVENT_LOOP_P99_BOUND_SECONDS = 0.05

const MiB = 1024 * 1024
const mib = (bytes) => `${(bytes / MiB).toFixed(1)} MiB`
const few = (items) =>
  items.slice(0, 3).join('; ') + (items.length > 3 ? ` (+${items.length - 3})` : '')

/** No answer was a 5xx or no answer at all (status 0: a refused or reset connection). */
export function checkNoServerErrors(tally) {
  const failed = []
  for (const [operation, byStatus] of Object.entries(tally.counts)) {
    for (const [status, count] of Object.entries(byStatus)) {
      if (Number(status) >= 500 || Number(status) === 0)
        failed.push(`${operation} ${status} x${count}`)
    }
  }
  const total = Object.values(tally.counts).reduce(
    (sum, byStatus) => sum + Object.values(byStatus).reduce((a, b) => a + b, 0),
    0,
  )
  return {
    name: 'no 5xx, no dropped connection',
    pass: failed.length === 0 && total > 0,
    detail: failed.length === 0 ? `${total} requests` : few(failed),
  }
}

/** Every answer had the status its step expects (a 401 for a valid token is a lost session). */
export function checkExpectedStatuses(tally) {
  return {
    name: 'every answer as expected',
    pass: tally.unexpected === 0,
    detail:
      tally.unexpected === 0 ? 'all' : `${tally.unexpected} unexpected: ${few(tally.samples)}`,
  }
}

/** Every journey kind ran at least once (else the mix did not test what it claims). */
export function checkMix(ledger, kinds) {
  const missing = kinds.filter((kind) => !(ledger.journeys[kind] > 0))
  const counts = Object.entries(ledger.journeys).map(([kind, n]) => `${kind} ${n}`)
  return {
    name: 'every journey ran',
    pass: missing.length === 0,
    detail: missing.length === 0 ? counts.join(', ') : `never: ${missing.join(', ')}`,
  }
}

/** `found` answers, for each item, whether the database holds it. */
export function checkPersisted(name, items, found) {
  const lost = items.filter((_, i) => !found[i])
  return {
    name,
    pass: lost.length === 0 && items.length > 0,
    detail:
      lost.length === 0
        ? `${items.length} of ${items.length}`
        : `${lost.length} lost: ${few(lost)}`,
  }
}

/**
 * Probes of tokens against each instance: `{ instance, status, how }`. Logged-out tokens must be
 * refused (401) by every instance; live ones accepted (200), so the refusals mean something.
 */
export function checkProbes(name, probes, wanted) {
  const wrong = probes.filter((probe) => probe.status !== wanted)
  return {
    name,
    pass: wrong.length === 0 && probes.length > 0,
    detail:
      wrong.length === 0
        ? `${probes.length} probes`
        : `${wrong.length} of ${probes.length}: ${few(wrong.map((p) => `${p.how} on ${p.instance}: ${p.status}`))}`,
  }
}

/** Every mail owed reached the SMTP sink, and the outbox holds none pending or failed. */
export function checkMail({ owed, received, pending, failed, problems }) {
  const pass =
    received >= owed && pending === 0 && failed === 0 && problems.length === 0 && owed > 0
  return {
    name: 'every mail sent',
    pass,
    detail: `${received} received of ${owed} owed, outbox ${pending} pending, ${failed} failed${problems.length > 0 ? `; ${few(problems)}` : ''}`,
  }
}

/**
 * Each process's RSS at the end of the warm-up and at the end: `{ process, warm, end }` in bytes.
 * Growth within {@link RSS_GROWTH_BOUND_BYTES}.
 */
export function checkRssGrowth(samples, bound = RSS_GROWTH_BOUND_BYTES) {
  const grown = samples.filter((s) => s.end - s.warm > bound)
  const detail = samples
    .map(
      (s) =>
        `${s.process} ${mib(s.warm)} -> ${mib(s.end)} (${s.end >= s.warm ? '+' : ''}${mib(s.end - s.warm)})`,
    )
    .join(', ')
  return {
    name: `RSS growth after warm-up <= ${mib(bound)} per process`,
    pass: grown.length === 0 && samples.length > 0,
    detail,
  }
}

/** Every scrape's event-loop delay p99 (seconds) under {@link EVENT_LOOP_P99_BOUND_SECONDS}. */
export function checkEventLoop(p99s, bound = EVENT_LOOP_P99_BOUND_SECONDS) {
  const sorted = [...p99s].sort((a, b) => a - b)
  const worst = sorted.at(-1)
  const median = sorted[Math.floor(sorted.length / 2)]
  const over = sorted.filter((value) => value >= bound).length
  return {
    name: `event-loop delay p99 < ${bound * 1000} ms in every scrape`,
    pass: sorted.length > 0 && over === 0,
    detail:
      sorted.length === 0
        ? 'no scrape'
        : `${sorted.length} scrapes, median ${(median * 1000).toFixed(1)} ms, worst ${(worst * 1000).toFixed(1)} ms, ${over} at or over`,
  }
}

/** The verdict lines as text, and whether all passed. */
export function formatVerdicts(title, verdicts) {
  const lines = verdicts.map((v) => `  ${v.pass ? 'ok  ' : 'FAIL'} ${v.name}: ${v.detail}`)
  return { text: `${title}\n${lines.join('\n')}`, pass: verdicts.every((v) => v.pass) }
}
