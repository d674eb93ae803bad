/** Resolves on the first SIGINT or SIGTERM; a second one exits at once, for a shutdown that hangs. */
export function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      process.once('SIGINT', () => process.exit(130));
      process.once('SIGTERM', () => process.exit(143));
      resolve(signal);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}

/**
 * Like `untilSignal`, and keeps the process alive meanwhile, even when nothing else would (a gateway
 * with no devices and no sinks yet has no socket or timer of its own).
 */
export async function runUntilSignal(): Promise<NodeJS.Signals> {
  const keepAlive = setInterval(() => {}, 1 << 30);
  try {
    return await untilSignal();
  } finally {
    clearInterval(keepAlive);
  }
}
