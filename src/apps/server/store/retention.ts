/** Which finished dreams the retention settings let go: nothing goes unless a setting says so. */

export interface Retention {
  /** Finished dreams older than this many days are deleted. */
  keepDays?: number;
  /** While the dreams' files take more bytes than this, the oldest finished dreams are deleted. */
  keepBytes?: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * The ids to delete, given the finished dreams oldest first and the bytes all dreams take (queued
 * and running ones count towards `keepBytes` but are never deleted).
 */
export function expiredDreams(
  finished: ReadonlyArray<{ id: string; finishedAt: number; bytes: number }>,
  totalBytes: number,
  retention: Retention,
  now: number,
): string[] {
  const expired: string[] = [];
  let bytes = totalBytes;
  for (const dream of finished) {
    const tooOld = retention.keepDays !== undefined && dream.finishedAt < now - retention.keepDays * DAY_MS;
    const tooBig = retention.keepBytes !== undefined && bytes > retention.keepBytes;
    if (!tooOld && !tooBig) break;
    expired.push(dream.id);
    bytes -= dream.bytes;
  }
  return expired;
}
