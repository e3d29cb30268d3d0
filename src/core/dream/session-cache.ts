/**
 * Compiled gradient sessions kept for reuse, bounded by the tile pixels they were compiled for:
 * a session's memory grows with its tile's area (an InceptionV3 session of a 512x512 tile holds
 * 150–300 MB), whatever the count.
 */

export interface Releasable {
  release(): Promise<void>;
}

interface Entry<T> {
  session: Promise<T>;
  tilePixels: number;
}

export class SessionCache<T extends Releasable> {
  /** Insertion order is use order: the first entry is the least recently used. */
  private readonly entries = new Map<string, Entry<T>>();

  /**
   * @param maxTilePixels Most tile pixels (summed over sessions) kept compiled; creating a session
   *   releases the least recently used ones beyond it first. The session being created is always
   *   kept, so 0 keeps just the last one. May be changed between uses.
   */
  constructor(public maxTilePixels = Number.POSITIVE_INFINITY) {}

  /** The session cached under `key`, or the one `create` makes (released sessions go first). */
  get(key: string, tilePixels: number, create: () => Promise<T>): Promise<T> {
    const cached = this.entries.get(key);
    if (cached) {
      this.entries.delete(key);
      this.entries.set(key, cached);
      return cached.session;
    }
    const evicted = this.evictFor(tilePixels);
    // Free the evicted sessions' memory before compiling the new one.
    const session = Promise.all(evicted.map(releaseSettled)).then(create);
    this.entries.set(key, { session, tilePixels });
    session.catch(() => {
      if (this.entries.get(key)?.session === session) this.entries.delete(key);
    });
    return session;
  }

  /** Releases every cached session; later gets compile afresh. */
  async releaseAll(): Promise<void> {
    const all = [...this.entries.values()];
    this.entries.clear();
    await Promise.all(all.map(releaseSettled));
  }

  private evictFor(tilePixels: number): Entry<T>[] {
    let total = tilePixels;
    for (const entry of this.entries.values()) total += entry.tilePixels;
    const evicted: Entry<T>[] = [];
    for (const [key, entry] of this.entries) {
      if (total <= this.maxTilePixels) break;
      this.entries.delete(key);
      evicted.push(entry);
      total -= entry.tilePixels;
    }
    return evicted;
  }
}

/** Releases a session once it exists; one that failed to compile holds nothing. */
async function releaseSettled<T extends Releasable>(entry: Entry<T>): Promise<void> {
  const session = await entry.session.catch(() => undefined);
  await session?.release();
}
