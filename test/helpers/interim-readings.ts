/**
 * Readings the mock once followed that differed from its contract's defaults. The readings branch made the mock
 * follow every default (NestJS's 400, Laravel's loose forms, Rails type casting), so nothing is left here; the
 * tests that read it can drop it.
 */
export const interimReadings: Readonly<Record<string, Readonly<Record<string, string>>>> = {}
