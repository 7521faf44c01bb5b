import type { IncomingMessage, ServerResponse } from 'node:http'
import type { RequestUser } from '@tessera/core'

declare global {
  // Express's own typings merge `Express.Request` into every request type (as passport does).
  namespace Express {
    interface Request {
      /** The sender: anonymous, or a claims user (set by `tesseraResourceServer`). */
      user?: RequestUser
    }
  }
}

/** Express's `next`: an error skips to the error handlers. */
export type NextFunction = (error?: unknown) => void

/**
 * An Express 4 or 5 middleware. Typed on node's request and response (Express extends both), so
 * it fits either version's `app.use`.
 */
export type Middleware = (
  request: IncomingMessage,
  response: ServerResponse,
  next: NextFunction,
) => void

/** A request once `tesseraResourceServer` ran. */
export type TesseraRequest = IncomingMessage & { user?: RequestUser }
