/**
 * What the bench does with the hub's commands (station/network/commands.ts): a published reference set is verified
 * and kept as an inactive version, then checked on this bench's good images in a child process; an activation goes
 * through the station's own activation (the selection reloads it, the outbox reports it). Every answer is an event
 * in the outbox — a refusal with its reason, a check with its figures — so it reaches the hub however long the
 * bench is offline. A refused file is never stored. A lead's review decision goes through the bench's own review
 * (runtime/hubReview.ts).
 */
import { checkInChild } from '../calibrate/child/checkInChild.ts';
import type { CheckJob } from '../calibrate/child/protocol.ts';
import type { BenchCheck } from '../calibrate/benchCheck.ts';
import { commandMessage, type CommandData, type CommandKind } from '../network/commands.ts';
import type { EventData } from '../network/messages.ts';
import { receiveReferenceSet, versionWithSha256 } from '../referenceSets/received.ts';
import { reviewFromHub } from './hubReview.ts';
import type { Log } from '../shared/domain.d.ts';
import type { Store } from '../store/index.ts';

export interface CommandDeps {
  store: Store;
  calibrationDir: string;
  dataDir: string;
  /** The station's default backbone, for the check's own engine pool. */
  modelManifest: string;
  hasBackbone: (sha256: string) => boolean;
  /** The station's activation: the same as a lead's on the station's own page. */
  activate: (productId: string, version: number) => Promise<void> | void;
  /** Default: in a child process at lower priority. */
  check?: (job: CheckJob) => Promise<BenchCheck>;
  log: Pick<Log, 'info' | 'warn'>;
}

export interface CommandHandler {
  handle(text: string): Promise<void>;
  /** Resolves when every check started so far has reported (for a clean close and for tests). */
  idle(): Promise<void>;
}

function checkedEvent(sha256: string, c: BenchCheck): EventData<'reference_set_checked'> {
  const f = c.figures;
  return {
    productId: c.productId,
    sha256,
    version: c.version,
    checked: c.checked,
    reason: c.reason,
    goodImages: c.goodImages,
    inSet: c.inSet,
    falseAlarmRate: f?.falseAlarmRate ?? null,
    failRate: f?.failRate ?? null,
    expected: f?.expected ?? null,
    atEdgeIntervals: f?.atEdgeIntervals ?? null,
    ok: f?.ok ?? null,
  };
}

const pc = (x: number) => `${(x * 100).toFixed(1)}%`;

export function commandHandler(d: CommandDeps): CommandHandler {
  const { store, log } = d;
  const check = d.check ?? ((job: CheckJob) => checkInChild(job));
  // One check at a time: each takes a core for a while, and the bench keeps the other.
  let checks: Promise<void> = Promise.resolve();

  const refuse = (
    command: Exclude<CommandKind, 'review_decision'>,
    productId: string,
    sha256: string,
    reason: string,
  ) => {
    log.warn(`workshop network: ${reason}`);
    store.outbox.add('reference_set_refused', {
      productId,
      sha256,
      command,
      reason,
    } satisfies EventData<'reference_set_refused'>);
  };

  const checkLater = (productId: string, version: number, sha256: string) => {
    checks = checks.then(async () => {
      let outcome: BenchCheck;
      try {
        outcome = await check({
          productId,
          version,
          calibrationDir: d.calibrationDir,
          dataDir: d.dataDir,
          modelManifest: d.modelManifest,
        });
      } catch (err) {
        const reason = `the bench check failed: ${(err as Error).message}`;
        outcome = { productId, version, checked: false, reason, goodImages: 0, inSet: 0, figures: null };
      }
      const f = outcome.figures;
      log.info(
        `reference set ${productId} v${version} checked on this bench: ` +
          (f
            ? `${pc(f.falseAlarmRate)} false alarms on ${f.n} good images (expected ${pc(f.expected.falseAlarmRate[0])}–${pc(f.expected.falseAlarmRate[1])})${f.ok ? '' : ', MORE than the band allows'}`
            : `not checked: ${outcome.reason}`),
      );
      store.outbox.add('reference_set_checked', checkedEvent(sha256, outcome));
    });
  };

  async function publish(c: CommandData<'publish_reference_set'>): Promise<void> {
    try {
      const r = await receiveReferenceSet(d, {
        productId: c.productId,
        sha256: c.sha256,
        bytes: Buffer.from(c.file, 'base64'),
      });
      log.info(
        `workshop network: reference set ${c.sha256.slice(0, 12)}… of ${c.productId} ` +
          (r.alreadyHeld
            ? `is already v${r.row.version} here`
            : `kept as v${r.row.version} (inactive until a lead activates it)`) +
          '; checking it on this bench',
      );
      checkLater(c.productId, r.row.version, c.sha256);
    } catch (err) {
      refuse('publish_reference_set', c.productId, c.sha256, (err as Error).message);
    }
  }

  async function activate(c: CommandData<'activate_reference_set'>): Promise<void> {
    const what = `reference set ${c.sha256.slice(0, 12)}… of product '${c.productId}'`;
    const row = store.products.get(c.productId) ? versionWithSha256(store, c.productId, c.sha256) : undefined;
    if (!row) {
      refuse('activate_reference_set', c.productId, c.sha256, `${what} is not on this bench; publish it here first`);
      return;
    }
    try {
      await d.activate(c.productId, row.version);
      log.info(`workshop network: ${what} (v${row.version}) activated, as the hub asked`);
    } catch (err) {
      refuse(
        'activate_reference_set',
        c.productId,
        c.sha256,
        `${what} (v${row.version}) cannot be activated: ${(err as Error).message}`,
      );
    }
  }

  return {
    async handle(text) {
      let raw: unknown;
      try {
        raw = JSON.parse(text);
      } catch {
        log.warn('workshop network: a command from the hub is not JSON; ignored');
        return;
      }
      const parsed = commandMessage.safeParse(raw);
      if (!parsed.success) {
        const why = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
        log.warn(`workshop network: a command from the hub does not match version 1 (${why}); ignored`);
        return;
      }
      const m = parsed.data;
      if (m.kind === 'publish_reference_set') await publish(m.data);
      else if (m.kind === 'activate_reference_set') await activate(m.data);
      else await reviewFromHub(d, m.data);
    },
    idle: () => checks,
  };
}
