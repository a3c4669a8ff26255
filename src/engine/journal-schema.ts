// The shape of a run journal, checked when one is read: a resume acts on what the journal says (which
// steps are done, which destructive step had begun, the values captured), so a journal that is cut
// short, edited by hand or written by something else is refused with what is wrong, never half-used.
import * as v from 'valibot';
import type { Journal } from './journal.js';

const text = v.string();
const count = v.pipe(v.number(), v.integer(), v.minValue(0));
const time = v.pipe(v.string(), v.isoTimestamp());
const stepStatus = v.picklist(['pending', 'running', 'ok', 'failed', 'skipped', 'interrupted']);

const hostProgress = v.looseObject({
  status: stepStatus,
  commandIndex: count,
  commandCount: v.optional(count),
  exitCode: v.optional(v.nullable(v.number())),
  message: v.optional(text),
});

const step = v.looseObject({
  id: text,
  title: text,
  status: stepStatus,
  destructive: v.boolean(),
  destructiveBegun: v.boolean(),
  hosts: v.record(text, hostProgress),
  startedAt: v.optional(time),
  endedAt: v.optional(time),
  message: v.optional(text),
  repeats: v.optional(v.array(v.looseObject({ at: time, approvedBy: v.picklist(['operator', '--yes']), reason: text }))),
});

const capture = v.looseObject({ step: text, host: v.nullable(text), name: text, value: text });

const history = v.looseObject({ pid: count, hostname: text, from: time, to: time, status: text });

export const JournalSchema = v.looseObject({
  version: v.literal(1),
  runId: text,
  procedure: text,
  title: text,
  params: v.record(text, text),
  secretParams: v.array(text),
  inventory: v.variant('kind', [v.looseObject({ kind: v.literal('file'), path: text }), v.looseObject({ kind: v.literal('demo') })]),
  startedAt: time,
  updatedAt: time,
  endedAt: v.optional(time),
  status: v.picklist(['running', 'ok', 'failed', 'aborted', 'stopped-at-gate']),
  currentStep: v.optional(text),
  message: v.optional(text),
  operator: text,
  pid: count,
  pidStart: v.optional(text),
  hostname: text,
  steps: v.array(step),
  captures: v.array(capture),
  history: v.array(history),
});

// The schema's output must be a Journal (a field added to one and not the other fails the type check).
const asJournal = (j: v.InferOutput<typeof JournalSchema>): Journal => j;
void asJournal;

/** The journal, or what is wrong with it: the first problem, at its place (`steps.2.hosts`). */
export function checkJournalShape(data: unknown): { journal: Journal } | { problem: string } {
  const r = v.safeParse(JournalSchema, data);
  if (r.success) return { journal: r.output };
  const issue = r.issues[0];
  const at = v.getDotPath(issue);
  return { problem: `${at ? `${at}: ` : ''}${issue.message}` };
}
