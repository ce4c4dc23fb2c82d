import { type JetStreamManager, RetentionPolicy, StorageType } from '@nats-io/jetstream';
import { AuditStream } from '@symbolon/contracts';

/**
 * Creates the events stream if it is missing. Work-queue retention: a record leaves the stream only once audit has
 * stored it and acknowledged it. File storage, so a NATS restart loses nothing. Both the publisher (gateway) and
 * the consumer (audit) call this, so either may start first.
 */
export async function ensureEventsStream(jsm: JetStreamManager): Promise<void> {
  try {
    await jsm.streams.info(AuditStream.name);
    return;
  } catch {
    // not there yet
  }
  try {
    await jsm.streams.add({
      name: AuditStream.name,
      subjects: [...AuditStream.subjects],
      retention: RetentionPolicy.Workqueue,
      storage: StorageType.File,
      duplicate_window: 120_000_000_000,
    });
  } catch (e) {
    // another process created it in between
    await jsm.streams.info(AuditStream.name).catch(() => {
      throw e;
    });
  }
}
