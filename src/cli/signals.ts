/** Stopping long-running commands (start, dashboard) cleanly on Ctrl-C or a service manager's SIGTERM. */

/** Repeats of the first signal within this window are the same request delivered twice. */
const REPEAT_WINDOW_MS = 5000;

/**
 * Resolves on the first SIGINT or SIGTERM. A terminal's Ctrl-C, or a service manager, often
 * delivers the signal twice (to npm, which forwards it, and to the bot directly): repeats within
 * five seconds are ignored; a later one means "stop now" and ends the process at once (exit 130).
 * Call it before start-up work, so a signal during start-up also stops cleanly.
 */
export function untilSignal(io: { stderr: NodeJS.WritableStream }): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    let first: number | undefined;
    const onSignal = (signal: NodeJS.Signals) => {
      if (first === undefined) {
        first = Date.now();
        resolve(signal);
      } else if (Date.now() - first > REPEAT_WINDOW_MS) {
        io.stderr.write(`${signal} again: stopping at once.\n`);
        process.exit(130);
      }
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}
