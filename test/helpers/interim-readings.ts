/**
 * Readings the mock follows today that differ from its contract's default: the gorules handler still answers
 * validation with 422 while the contract's default reading is NestJS's 400. The readings branch makes the mock
 * follow the default; delete this file (and its uses) when it lands.
 */
export const interimReadings: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  gorules: { 'validation.status': '422' },
}
