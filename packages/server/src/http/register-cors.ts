import fastifyCors from '@fastify/cors'
import type { FastifyInstance } from 'fastify'
import type { BrowserSettings } from '../settings/browser-settings.js'

/**
 * CORS for the named origins (django-cors-headers' settings), registered before every other
 * hook so a preflight is answered before authentication. Nothing is registered when no origin
 * is allowed: same-origin deployments pay nothing and answer no `Access-Control-*` header.
 * Origins are matched exactly and echoed with `Vary: Origin`; never `*`.
 */
export async function registerCors(app: FastifyInstance, settings: BrowserSettings): Promise<void> {
  if (settings.CORS_ALLOWED_ORIGINS.length === 0) return
  await app.register(fastifyCors, {
    origin: [...settings.CORS_ALLOWED_ORIGINS],
    credentials: settings.CORS_ALLOW_CREDENTIALS,
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
    allowedHeaders: [...settings.CORS_ALLOW_HEADERS],
    exposedHeaders: [...settings.CORS_EXPOSE_HEADERS],
    maxAge: settings.CORS_PREFLIGHT_MAX_AGE,
    // A preflight gets 204 from the plugin's hook, before routing and authentication.
    preflightContinue: false,
    strictPreflight: true,
  })
}
