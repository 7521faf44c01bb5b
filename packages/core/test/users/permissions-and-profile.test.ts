import {
  defineProfileFields,
  hasModulePerms,
  hasPerm,
  hasPerms,
  SettingsError,
} from '@tessera/core'
import { describe, expect, it } from 'vitest'

const granted = new Set(['blog.add_post', 'blog.change_post'])

describe('has_perm semantics', () => {
  it('gives inactive users nothing, even superusers', () => {
    const user = { isActive: false, isSuperuser: true }
    expect(hasPerm(user, 'blog.add_post', granted)).toBe(false)
    expect(hasModulePerms(user, 'blog', granted)).toBe(false)
  })

  it('gives active superusers everything', () => {
    const user = { isActive: true, isSuperuser: true }
    expect(hasPerm(user, 'anything.at_all', new Set())).toBe(true)
    expect(hasPerms(user, ['a.b', 'c.d'], new Set())).toBe(true)
  })

  it('gives other active users exactly their grants', () => {
    const user = { isActive: true, isSuperuser: false }
    expect(hasPerm(user, 'blog.add_post', granted)).toBe(true)
    expect(hasPerm(user, 'blog.delete_post', granted)).toBe(false)
    expect(hasPerms(user, ['blog.add_post', 'blog.change_post'], granted)).toBe(true)
    expect(hasPerms(user, ['blog.add_post', 'blog.delete_post'], granted)).toBe(false)
    expect(hasModulePerms(user, 'blog', granted)).toBe(true)
    expect(hasModulePerms(user, 'blo', granted)).toBe(false)
  })
})

describe('profile fields', () => {
  const fields = defineProfileFields([
    { name: 'company', type: 'string', required: true, maxLength: 5 },
    { name: 'age', type: 'integer', min: 13, max: 130 },
    { name: 'newsletter', type: 'boolean', default: false },
    { name: 'birthday', type: 'date' },
    { name: 'plan', type: 'string', choices: ['free', 'pro'] },
    { name: 'code', type: 'string', pattern: '[A-Z]{3}' },
  ])

  it('validates with DRF messages, only the bad keys', () => {
    const { errors } = fields.validate({
      age: 12,
      newsletter: 'yes',
      birthday: '2024-02-30',
      plan: 'gold',
      code: 'ABCD',
    })
    expect(errors).toEqual({
      company: ['This field is required.'],
      age: ['Ensure this value is greater than or equal to 13.'],
      newsletter: ['Must be a valid boolean.'],
      birthday: ['Date has wrong format. Use one of these formats instead: YYYY-MM-DD.'],
      plan: ['"gold" is not a valid choice.'],
      code: ['This value does not match the required pattern.'],
    })
    expect(fields.validate({ company: 'Acme Corp' }).errors).toEqual({
      company: ['Ensure this field has no more than 5 characters.'],
    })
    expect(fields.validate({ company: 'Acme', age: 1.5 }).errors).toEqual({
      age: ['A valid integer is required.'],
    })
  })

  it('fills defaults on create and leaves absent fields alone on partial updates', () => {
    expect(fields.validate({ company: 'Acme', birthday: '2000-01-31' })).toEqual({
      values: { company: 'Acme', newsletter: false, birthday: '2000-01-31' },
      errors: {},
    })
    expect(fields.validate({ age: 40 }, { partial: true })).toEqual({
      values: { age: 40 },
      errors: {},
    })
  })

  it('refuses bad declarations at start-up', () => {
    expect(() => defineProfileFields([{ name: 'username', type: 'string' }])).toThrow(SettingsError)
    expect(() => defineProfileFields([{ name: 'Bad Name', type: 'string' }])).toThrow(SettingsError)
    expect(() =>
      defineProfileFields([
        { name: 'a', type: 'string' },
        { name: 'a', type: 'string' },
      ]),
    ).toThrow(/declared twice/)
    expect(() => defineProfileFields([{ name: 'a', type: 'string', pattern: '(' }])).toThrow(
      /pattern/,
    )
  })
})
