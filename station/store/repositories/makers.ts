// Makers: the artisans whose items are inspected; a badge code lets a barcode scan select them.
import { namedRows, requireText, type Db } from './common.ts';

export interface Maker {
  id: string;
  name: string;
  badgeCode: string | null;
  createdAt: number;
}

export interface MakerInput {
  id: string;
  name: string;
  badgeCode?: string | null;
}

interface MakerRow {
  id: string;
  name: string;
  badge_code: string | null;
  created_at: number;
}

const fromRow = (r: MakerRow): Maker => ({ id: r.id, name: r.name, badgeCode: r.badge_code, createdAt: r.created_at });

export function makersRepo(db: Db) {
  const upsertStmt = db.prepare(`
    INSERT INTO makers (id, name, badge_code, created_at) VALUES (@id, @name, @badge, @now)
    ON CONFLICT(id) DO UPDATE SET name = excluded.name, badge_code = excluded.badge_code
    RETURNING *`);
  const byBadgeStmt = db.prepare('SELECT * FROM makers WHERE badge_code = ?');

  return {
    ...namedRows(db, 'makers', fromRow),
    upsert(input: MakerInput, now = Date.now()): Maker {
      const id = requireText(input.id, 'maker id');
      const badge = input.badgeCode ?? null;
      if (badge !== null) {
        const holder = byBadgeStmt.get(badge) as MakerRow | undefined;
        if (holder && holder.id !== id) {
          throw new Error(`badge code '${badge}' already belongs to maker '${holder.id}'; choose another code`);
        }
      }
      const row = upsertStmt.get({
        id,
        name: requireText(input.name, `name of maker '${id}'`),
        badge,
        now,
      }) as MakerRow;
      return fromRow(row);
    },
    byBadge(code: string): Maker | undefined {
      const row = byBadgeStmt.get(code) as MakerRow | undefined;
      return row && fromRow(row);
    },
  };
}

export type MakersRepo = ReturnType<typeof makersRepo>;
