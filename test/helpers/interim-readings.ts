/**
 * Readings the mock follows today that differ from its contract's default (the contracts gained readings before
 * the handlers could switch): gorules answers validation with 422 where NestJS's default is 400; flextell and
 * medibulut refuse Laravel's loose forms (is_active 1, status "1"); rails-users refuses a number for a string
 * attribute where Rails casts it. The readings branch makes the mock follow the defaults; delete this file (and
 * its uses) when it lands.
 */
export const interimReadings: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  flextell: { 'body.coercion': 'strict' },
  'rails-users': { 'body.type-cast': 'strict' },
  medibulut: { 'body.coercion': 'strict' },
  gorules: { 'validation.status': '422' },
}
