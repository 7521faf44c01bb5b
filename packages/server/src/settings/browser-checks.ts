import { SettingsError } from '@tessera/core'
import type { ServerSettings } from './server-settings.js'

/**
 * Refuses the browser settings production must not run with, and returns warnings for
 * combinations that would quietly not work (cookies a browser will never send).
 */
export function checkBrowserSettings(settings: ServerSettings): string[] {
  const warnings: string[] = []
  const cookies = settings.TOKEN_TRANSPORT !== 'body'
  if (!settings.COOKIE_SECURE) {
    if (settings.ENV === 'production') {
      throw new SettingsError(
        'COOKIE_SECURE',
        'TESSERA_ENV=production refuses COOKIE_SECURE=false: cookies without Secure and the ' +
          '__Host- prefix travel over plain HTTP and can be planted by a sibling domain',
      )
    }
    if (cookies) {
      warnings.push(
        'COOKIE_SECURE=false: the token cookies are not Secure and have no __Host-/__Secure- ' +
          'prefix (development over plain http:// only; production refuses it)',
      )
    }
  }
  if (cookies && settings.CORS_ALLOWED_ORIGINS.length > 0 && !settings.CORS_ALLOW_CREDENTIALS) {
    warnings.push(
      `TOKEN_TRANSPORT=${settings.TOKEN_TRANSPORT} with CORS_ALLOWED_ORIGINS but ` +
        'CORS_ALLOW_CREDENTIALS=false: pages on those origins cannot send the cookies',
    )
  }
  if (settings.CORS_ALLOW_CREDENTIALS && settings.CORS_ALLOWED_ORIGINS.length === 0) {
    warnings.push('CORS_ALLOW_CREDENTIALS=true has no effect: CORS_ALLOWED_ORIGINS is empty')
  }
  return warnings
}
