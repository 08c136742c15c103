// Migration 5 copies the outbox to drop its list of kinds (the repository checks them): unsent entries stay, and the station-sequence carries on past the
// highest seq ever used, even when the newest entries were pruned before the upgrade (the hub keys on it).
import Database from 'better-sqlite3';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../station/store/db.ts';
import { migrate, migrations } from '../../station/store/migrations.ts';
import { tempDir } from './helpers.ts';

describe('outbox migration (5)', () => {
  it('keeps every entry and the seq high-water mark, and takes the answers to the hub', () => {
    const dir = tempDir();
    const file = path.join(dir, 'station.sqlite');
    const raw = new Database(file);
    migrate(raw, file, migrations.slice(0, 4));
    const add = raw.prepare('INSERT INTO outbox (kind, payload_json, created_at, sent_at) VALUES (?, ?, ?, ?)');
    add.run('selection', '{"productId":"tile","makerId":null}', 1, null);
    add.run('selection', '{"productId":"mug","makerId":null}', 2, 5);
    add.run('selection', '{"productId":"jug","makerId":null}', 3, 6);
    raw.prepare('DELETE FROM outbox WHERE seq > 1').run(); // the newest, sent and pruned
    expect(() => add.run('reference_set_checked', '{}', 4, null)).toThrow(/CHECK constraint/);
    raw.close();

    const store = openStore(dir);
    try {
      expect(store.outbox.unsent().map((e) => [e.seq, e.payload.productId])).toEqual([[1, 'tile']]);
      const seq = store.outbox.add('reference_set_refused', { productId: 'tile', sha256: 'a', reason: 'why' });
      expect(seq).toBe(4);
      expect(store.outbox.add('reference_set_checked', { productId: 'tile' })).toBe(5);
      const refused = { inspectionId: 9, action: 'note', userName: 'marta@hub', reason: 'why' };
      expect(store.outbox.add('review_refused', refused)).toBe(6);
      // The kinds are the repository's to check now.
      expect(() => store.outbox.add('gossip' as never, {})).toThrow(/outbox kind/);
      expect(store.integrityCheck()).toBe('ok');
    } finally {
      store.close();
    }
  });
});
