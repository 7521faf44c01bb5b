import type { FastifyBaseLogger, FastifyServerOptions } from 'fastify'

type Level = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace'
type Bindings = Record<string, unknown>
type LogArguments = Parameters<FastifyBaseLogger['info']>
/** Fastify's logger when made from `logger` options: pino, which answers `isLevelEnabled`. */
export type PinoLike = FastifyBaseLogger & { isLevelEnabled(level: string): boolean }

/**
 * A request's logger that makes pino's child only when something is logged at an enabled
 * level. Fastify makes a child per request (to bind `reqId`); at the usual `info`/`warn` levels
 * most requests log nothing, and the child (bindings serialized eagerly) was measured at about
 * 3.5 µs of a ~45 µs authenticated request on the hot path. The lines written are identical.
 */
class LazyChildLogger {
  readonly #parent: PinoLike
  readonly #bindings: Bindings
  readonly #options: object
  #child: FastifyBaseLogger | undefined

  constructor(parent: PinoLike, bindings: Bindings, options: object) {
    this.#parent = parent
    this.#bindings = bindings
    this.#options = options
  }

  get level(): string {
    return this.#parent.level
  }

  fatal(...args: LogArguments): void {
    this.#log('fatal', args)
  }
  error(...args: LogArguments): void {
    this.#log('error', args)
  }
  warn(...args: LogArguments): void {
    this.#log('warn', args)
  }
  info(...args: LogArguments): void {
    this.#log('info', args)
  }
  debug(...args: LogArguments): void {
    this.#log('debug', args)
  }
  trace(...args: LogArguments): void {
    this.#log('trace', args)
  }
  silent(): void {}

  child(bindings: Bindings, options?: object): FastifyBaseLogger {
    return this.#real().child(bindings, options)
  }

  #log(level: Level, args: LogArguments): void {
    if (!this.#parent.isLevelEnabled(level)) return
    this.#real()[level](...args)
  }

  #real(): FastifyBaseLogger {
    this.#child ??= this.#parent.child(this.#bindings, this.#options)
    return this.#child
  }
}

/** A request's logger: a child of `parent` with `bindings`, made when first written to. */
export function lazyChildLogger(
  parent: PinoLike,
  bindings: Bindings,
  options: object,
): FastifyBaseLogger {
  return new LazyChildLogger(parent, bindings, options) as unknown as FastifyBaseLogger
}

/** Fastify's `childLoggerFactory` option: a {@link LazyChildLogger} of Fastify's logger per request. */
export const lazyChildLoggerFactory: NonNullable<FastifyServerOptions['childLoggerFactory']> =
  function childLogger(logger, bindings, options) {
    return lazyChildLogger(logger as PinoLike, bindings, options)
  }
