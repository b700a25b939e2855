// Waiting: the one sleep production code uses (retry back-off, polls, lock
// waits, status --watch), cancelled by the command's signal so Ctrl-C never
// waits out a delay. Test support imports it from here too.

/** What a cancelled wait rejects with: main.ts reads the name AbortError as an interrupt (exit 130). */
export function abortError(message = 'interrupted'): Error {
  return Object.assign(new Error(message), { name: 'AbortError' });
}

/**
 * Resolve after `ms`, or reject with `aborted()` as soon as the signal aborts
 * (at once if it already has). The HTTP layer passes its own error (UserAbort).
 */
export function sleep(ms: number, signal?: AbortSignal, aborted: () => Error = abortError): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(aborted());
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(aborted());
    };
    // The listener is removed when the timer fires, so long waits do not pile listeners up.
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
