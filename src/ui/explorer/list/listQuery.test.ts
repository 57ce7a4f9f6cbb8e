import { describe, expect, it } from 'vitest'
import { DEFAULT_LIST_QUERY, formatListQuery, parseListQuery } from './listQuery.ts'

describe('listQuery', () => {
  it('round-trips a search, sort, filter, page and row', () => {
    const state = { q: 'bridge cat', sort: 'auroc' as const, hideDead: true, page: 2, row: 7 }
    expect(parseListQuery(new URLSearchParams(formatListQuery(state)))).toEqual(state)
  })
  it('leaves defaults out, and reads junk as the defaults', () => {
    expect(formatListQuery(DEFAULT_LIST_QUERY)).toEqual({})
    expect(parseListQuery(new URLSearchParams('sort=nope&page=-1&row=x&dead=1'))).toEqual(DEFAULT_LIST_QUERY)
  })
})
