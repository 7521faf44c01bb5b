/** Upper bounds (seconds) of the request-latency buckets. */
const BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5]

interface Cell {
  /** Observations per bucket, not cumulative; the last one is +Inf. */
  readonly counts: number[]
  sum: number
  count: number
}

/** One exposition line's value, as prom-client's registry serialises a metric's `get()`. */
interface MetricValue {
  readonly metricName: string
  readonly labels: Readonly<Record<string, string | number>>
  readonly value: number
}

/**
 * The request histogram by method, route pattern and status, in the shape prom-client's
 * registry exposes. Written by hand because it runs on every request: prom-client's
 * `Histogram.observe` validates and hashes the label set each time, even through `labels()`;
 * measured with `npm run bench:instructions`, that was about 4,000 instructions a request of an
 * authenticated GET, where nested maps and a bucket scan cost a few hundred. The label values
 * are bounded: route patterns are fixed at start-up (404s share one), statuses and methods few.
 */
export class RequestHistogram {
  readonly name = 'tessera_http_request_duration_seconds'
  readonly help = 'HTTP requests by route pattern, method and status, and how long they took'
  readonly type = 'histogram'
  readonly aggregator = 'sum'
  readonly #cells = new Map<string, Map<number, Map<string, Cell>>>()

  observe(method: string, route: string, status: number, seconds: number): void {
    let byStatus = this.#cells.get(route)
    if (byStatus === undefined) {
      byStatus = new Map()
      this.#cells.set(route, byStatus)
    }
    let byMethod = byStatus.get(status)
    if (byMethod === undefined) {
      byMethod = new Map()
      byStatus.set(status, byMethod)
    }
    let cell = byMethod.get(method)
    if (cell === undefined) {
      cell = { counts: new Array(BUCKETS.length + 1).fill(0), sum: 0, count: 0 }
      byMethod.set(method, cell)
    }
    let bucket = 0
    while (bucket < BUCKETS.length && seconds > (BUCKETS[bucket] as number)) bucket++
    cell.counts[bucket] = (cell.counts[bucket] as number) + 1
    cell.sum += seconds
    cell.count += 1
  }

  /** The metric as prom-client's registry reads it at scrape time. */
  get(): {
    name: string
    help: string
    type: string
    aggregator: string
    values: MetricValue[]
  } {
    const values: MetricValue[] = []
    for (const [route, byStatus] of this.#cells) {
      for (const [status, byMethod] of byStatus) {
        for (const [method, cell] of byMethod) {
          const labels = { method, route, status: String(status) }
          let cumulative = 0
          for (let i = 0; i <= BUCKETS.length; i++) {
            cumulative += cell.counts[i] as number
            const le = i < BUCKETS.length ? (BUCKETS[i] as number) : '+Inf'
            values.push({
              metricName: `${this.name}_bucket`,
              labels: { ...labels, le },
              value: cumulative,
            })
          }
          values.push({ metricName: `${this.name}_sum`, labels, value: cell.sum })
          values.push({ metricName: `${this.name}_count`, labels, value: cell.count })
        }
      }
    }
    return {
      name: this.name,
      help: this.help,
      type: this.type,
      aggregator: this.aggregator,
      values,
    }
  }
}
