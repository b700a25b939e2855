// Whole-number flags (--concurrency, --retries, --tail) and seconds (--interval, --delivery-timeout): one parser each, handed to
// commander's argParser, so a command receives a number already checked and a
// bad value stops the run before anything is read or changed.

import { ConfigError } from '../errors.js';

/**
 * A commander argParser for a whole number from `min` to `max`. Anything else
 * is a ConfigError naming the flag (exit 2, like every bad input).
 */
export function wholeNumber(flag: string, min: number, max: number): (text: string) => number {
  return (text) => {
    const n = Number(text);
    if (!Number.isInteger(n) || n < min || n > max)
      throw new ConfigError([{ path: flag, message: `must be a whole number from ${min} to ${max}` }]);
    return n;
  };
}

/**
 * A commander argParser for a number of seconds from `min` to `max` (fractions allowed:
 * `--interval 2.5`). Anything else is a ConfigError naming the flag, as for whole numbers.
 */
export function numberOfSeconds(flag: string, min: number, max: number): (text: string) => number {
  return (text) => {
    const n = Number(text);
    if (!Number.isFinite(n) || n < min || n > max)
      throw new ConfigError([{ path: flag, message: `must be a number of seconds from ${min} to ${max}` }]);
    return n;
  };
}
