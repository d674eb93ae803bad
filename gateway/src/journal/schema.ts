/**
 * The `journal:` block of the configuration file. The file itself is always `<data>/journal.db`
 * (the data folder comes from `--data`), so it is not configured here.
 */
import { byteSize, duration } from '@sensegate/sdk';
import { z } from 'zod';

export const journalConfigSchema = z
  .object({
    sync: z
      .enum(['full', 'normal'])
      .default('full')
      .describe(
        '`full`: every commit is on disk before anything is sent, so a committed reading survives a power cut. ' +
          '`normal`: a commit survives a crash of the gateway process (kill -9) but a power cut may lose the last commits; ' +
          'cheaper on slow flash. See docs/durability.md.',
      ),
    commitInterval: duration(
      'Longest time an appended reading waits before it is committed (and can be sent); entries are committed together in one transaction.',
    )
      .pipe(z.number().min(1).max(10_000))
      .default(20),
    maxBlockEntries: z
      .number()
      .int()
      .min(1)
      .max(10_000)
      .default(256)
      .describe('Most entries stored in one journal row (a block of consecutive entries of one kind, sent as one message).'),
    maxBytes: byteSize(
      'Bound on the entries\' JSON stored in the journal (the file is larger by SQLite\'s overhead, about 5-10%). When reached, `overflow` applies.',
    )
      .pipe(z.number().min(64 * 1024))
      .default(1024 ** 3),
    maxEntryBytes: byteSize(
      'Bound on one entry (a reading or an event) as JSON. A larger one is journaled in a smaller form that says so: a reading without its value (quality bad, status SG_ENTRY_TOO_LARGE), an event with an excerpt of its details and the size and sha256 of the whole. Every sink\'s `maxMessageBytes` must leave room for one entry and the message envelope.',
    )
      .pipe(z.number().min(4096).max(16 * 1024 * 1024))
      .default(64 * 1024),
    maxAge: duration('Bound on the age of stored entries (time since commit). When reached, `overflow` applies.')
      .pipe(z.number().min(1000))
      .default(7 * 86_400_000),
    reserveBytes: byteSize(
      'Free space kept on the data folder\'s disk: commits never use it, so trimming, saving cursors and a WAL checkpoint can always run and a full disk is worked out of without a restart. ' +
        'When the disk is short, what every sink has is trimmed first, then `overflow` decides: `drop-oldest` drops the oldest stored entries to make room, `drop-newest` keeps them and new entries wait in memory. See docs/durability.md, A full disk.',
    )
      .pipe(z.number().min(1024 * 1024))
      .default(8 * 1024 * 1024),
    overflow: z
      .enum(['drop-oldest', 'drop-newest'])
      .default('drop-oldest')
      .describe(
        'What a full journal does. `drop-oldest`: delete the oldest entries, sent or not, to make room (sinks skip past them). ' +
          '`drop-newest`: keep what is stored and refuse new entries until sinks catch up. Either way every entry lost before a sink had it is ' +
          'counted in `sensegate_journal_dropped_total` (delivered ones removed early in `sensegate_journal_trimmed_early_total`) and each episode is logged.',
      ),
  })
  .strict();

export type JournalConfig = z.output<typeof journalConfigSchema>;
