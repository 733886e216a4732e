// Runs `task` over `items` with at most `limit` at a time per key (e.g. per destination region), all keys in parallel.
export async function runLimitedPerKey<T, R>(items: readonly T[], keyOf: (item: T) => string, limit: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const running = new Map<string, number>();
  const waiting = new Map<string, (() => void)[]>();
  const acquire = async (key: string) => {
    while ((running.get(key) ?? 0) >= limit) await new Promise<void>((resolve) => waiting.set(key, [...(waiting.get(key) ?? []), resolve]));
    running.set(key, (running.get(key) ?? 0) + 1);
  };
  const release = (key: string) => {
    running.set(key, (running.get(key) ?? 1) - 1);
    const queue = waiting.get(key) ?? [];
    queue.shift()?.();
  };
  return Promise.all(
    items.map(async (item) => {
      const key = keyOf(item);
      await acquire(key);
      try {
        return await task(item);
      } finally {
        release(key);
      }
    }),
  );
}
