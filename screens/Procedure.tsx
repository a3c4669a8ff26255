// A built procedure: the parameter form → the resolved plan (every command, destructive steps marked)
// → a y/N confirmation → the run (the App opens the run view). Screens never run anything: planning,
// validation, starting the run and looking for a parameter's values on a host (`discover`, e.g. the
// backups on the chosen member) are the core's, passed in. Its keys, in each phase: PROCEDURE_KEYS.

import { Box, Text } from 'ink';
import { type ReactNode, useEffect, useMemo, useRef } from 'react';
import type { Params, PlanStep, Procedure } from '../src/engine/types.js';
import type { Inventory } from '../src/inventory/types.js';
import type { CatalogueEntry } from '../src/model/catalogue.js';
import type { DiscoverFn } from '../src/model/discovery.js';
import { commonDomain } from '../src/model/home.js';
import { planLines, planSummary } from '../src/model/plan-view.js';
import {
  discoveryWanted,
  type FormAction,
  type FormField,
  type FormState,
  type FoundChoices,
  focusedField,
  formParams,
  foundFor,
  foundOptions,
  initialForm,
  type ParamError,
  reduceForm,
  validateForm,
} from '../src/model/procedure-form.js';
import { fit, truncate, wrap } from '../src/model/text.js';
import { ChoiceList, choiceListHeight } from './components/ChoiceList.js';
import { Pager } from './components/Pager.js';
import { TextField } from './components/TextField.js';
import { type ScreenFrameProps, useScreen } from './context.js';
import { useScreenKeys } from './hooks/useKeymap.js';
import { useLatestState } from './hooks/useKeys.js';
import { type GlobalContext, helpKey, type Keymap, quitKey } from './keymap.js';
import { Txt } from './theme.js';

export type PlanFn = (procedure: Procedure, params: Params) => PlanStep[];
export type ValidateFn = (procedure: Procedure, params: Params) => ParamError[];

export interface ProcedureScreenProps extends ScreenFrameProps {
  procedure: Procedure;
  inventory: Inventory;
  planProcedure?: PlanFn;
  validateParams?: ValidateFn;
  /** Starts the run (the App then shows it); returns an error sentence when it could not start. */
  onRun?: (params: Params) => string | undefined;
  /** Looks for a parameter's values on its host (core: src/model/discovery.ts, through the console's runner). */
  discover?: DiscoverFn;
  /** Values typed before (kept while the operator looks at the help, or goes back and comes again). */
  memory?: Map<string, Record<string, string>>;
  /** Values the form starts with over those typed before (the health cell's host, opened as its fix). */
  prefill?: Readonly<Record<string, string>>;
}

interface Local {
  form: FormState;
  phase: 'form' | 'plan';
  plan?: PlanStep[];
  params?: Params;
  confirm: boolean;
  error?: string;
}

const RISK_TONE = { 'read-only': 'ok', low: 'ok', medium: 'warn', high: 'bad', destructive: 'bad' } as const;

/**
 * "PROCEDURE etcd-restore — Restore etcd from backup (v2 + v3)  § 5.4.2.1  " (the risk word follows): the
 * section and the risk stay whole, the title is what gets cut to fit `width`.
 */
export function procedureHead(entry: Pick<CatalogueEntry, 'id' | 'title' | 'section' | 'risk'>, width: number): string {
  const tail = `  § ${entry.section}  `;
  const risk = `risk ${entry.risk.toUpperCase()}`;
  const lead = `PROCEDURE ${entry.id} — `;
  const room = width - [...lead].length - [...tail].length - risk.length;
  if (room >= [...entry.title].length) return `${lead}${entry.title}${tail}`;
  if (room >= 6) return `${lead}${truncate(entry.title, room)}${tail}`;
  return `${entry.id}${tail}`;
}

const MAX_SHOWN = 5;

/** A failed look-up: the reason, on at most 2 lines, then what to do. */
function failedLines(message: string, width: number): string[] {
  return wrap(`! ${message} — type a path`, Math.max(20, width - 4)).slice(0, 2);
}

/** Under a focused field with `discover`: what is being looked for, what was found (↑↓ picks), or why nothing. */
function foundRows(field: FormField, value: string, found: FoundChoices | undefined, width: number): ReactNode[] {
  const where = found ? ` on ${found.host}` : '';
  if (!found) return [];
  if (found.status === 'looking')
    return [
      <Txt key='looking' dim wrap='truncate'>
        {`    looking${where} for ${field.discover!.describe}…`}
      </Txt>,
    ];
  if (found.status === 'failed')
    return failedLines(found.message, width).map((l, k) => (
      <Txt key={`failed-${k}`} tone='warn' wrap='truncate'>
        {`    ${l}`}
      </Txt>
    ));
  if (found.options.length === 0)
    return [
      <Txt key='none' tone='warn' wrap='truncate'>
        {`    none found${where}: type a path (looked for ${field.discover!.describe})`}
      </Txt>,
    ];
  const i = found.options.findIndex((o) => o.value === value);
  const start = Math.max(0, Math.min(found.options.length - MAX_SHOWN, i - 2));
  const rows: ReactNode[] = found.options.slice(start, start + MAX_SHOWN).map((o) => (
    <Txt key={o.value} inverse={o.value === value} bold={o.value === value} wrap='truncate'>
      {fit(`    ${o.value === value ? '●' : '○'} ${o.label}`, width)}
    </Txt>
  ));
  rows.push(
    <Txt key='hint' dim wrap='truncate'>
      {`    ${i >= 0 ? `${i + 1} of ` : ''}${found.options.length} found${where}, newest first: ↑↓ pick one, or type a path`}
    </Txt>,
  );
  return rows;
}

/** Lines of one field: label, value (or the list of choices when focused), error. */
function FieldRows({
  field,
  value,
  focused,
  error,
  width,
  found,
}: {
  field: FormField;
  value: string;
  focused: boolean;
  error?: string;
  width: number;
  found?: FoundChoices;
}) {
  const flags = [field.required ? 'required' : 'optional', field.secret ? 'secret, masked' : ''].filter(Boolean).join(', ');
  const label = `${focused ? '›' : ' '} ${field.name} (${flags}) — ${field.description}`;
  let valueRows: ReactNode[];
  if (field.kind === 'choice') {
    if (focused) {
      valueRows =
        field.options.length === 0
          ? [
              <Txt key='none' tone='warn'>
                {' '}
                (nothing to choose: the inventory has no such host)
              </Txt>,
            ]
          : [<ChoiceList key='list' options={field.options} value={value} width={Math.min(width, 60)} />];
    } else {
      const o = field.options.find((x) => x.value === value);
      valueRows = [
        <Txt key='v' wrap='truncate'>
          {`    ${o ? o.label : value || '(none)'}`}
        </Txt>,
      ];
    }
  } else {
    valueRows = [
      <Box key='v' width={width} height={1}>
        <Text>{'    '}</Text>
        <TextField
          value={value}
          focused={focused}
          width={width - 4}
          mask={field.secret}
          placeholder={field.default ? `default ${field.default}` : undefined}
        />
      </Box>,
    ];
    if (focused && field.discover) valueRows.push(...foundRows(field, value, found, width));
  }
  return (
    <>
      <Txt bold={focused} wrap='truncate'>
        {label}
      </Txt>
      {valueRows}
      {error ? (
        <Txt tone='bad' bold wrap='truncate'>
          {`    ✗ ${error}`}
        </Txt>
      ) : null}
    </>
  );
}

function fieldHeight(f: FormField, focused: boolean, error: boolean, width: number, found?: FoundChoices): number {
  let values = f.kind === 'choice' && focused ? choiceListHeight(f.options.length) : 1;
  if (f.kind === 'text' && focused && f.discover && found) {
    if (found.status === 'found' && found.options.length > 0) values += Math.min(MAX_SHOWN, found.options.length) + 1;
    else values += found.status === 'failed' ? failedLines(found.message, width).length : 1;
  }
  return 1 + values + (error ? 1 : 0);
}

/** What the Procedure keys act on. */
export interface ProcedureKeyContext extends GlobalContext {
  local: Local;
  /** Changes the form (validating again once it was submitted). */
  applyForm: (action: FormAction) => void;
  /** Validates the form and, when it holds, plans the run. */
  submit: () => void;
  set: (patch: Partial<Local>) => void;
  onRun?: (params: Params) => string | undefined;
  onBack: () => void;
}

type C = ProcedureKeyContext;
const inForm = (c: C) => c.local.phase === 'form';
const field = (c: C) => focusedField(c.local.form);
const choosing = (c: C) => inForm(c) && field(c)?.kind === 'choice';
const typing = (c: C) => inForm(c) && field(c)?.kind !== 'choice';
/** A text field with values found on its host (↑↓ pick one; typing still works). */
const picking = (c: C) => typing(c) && !!field(c) && foundOptions(c.local.form, field(c)!).length > 0;
const plainText = (c: C) => typing(c) && !picking(c);
const inPlan = (c: C) => c.local.phase === 'plan' && !c.local.confirm;
const confirming = (c: C) => c.local.phase === 'plan' && c.local.confirm;
const updown = (p: { is: (...n: string[]) => boolean }) => (p.is('down', 'j') ? 1 : -1);
/** The choice next to the focused field's value, stopping at the ends (the form stores it with 'pick'). */
const pickNext = (c: C, delta: number) => {
  const f = field(c);
  if (f?.kind !== 'choice' || f.options.length === 0) return;
  const i = Math.max(
    0,
    f.options.findIndex((o) => o.value === (c.local.form.values[f.name] ?? '')),
  );
  const o = f.options[Math.max(0, Math.min(f.options.length - 1, i + delta))]!;
  c.applyForm({ type: 'pick', param: f.name, value: o.value });
};

/** The Procedure screen's keys: the parameter form (a text field, values found for it, a choice), the plan, "run it now?". */
export const PROCEDURE_KEYS: Keymap<ProcedureKeyContext> = [
  // the form
  {
    keys: ['tab', 'down'],
    label: 'Tab ↓',
    when: plainText,
    footer: 'next field',
    description: 'form: the next field',
    action: (c) => c.applyForm({ type: 'focus', delta: 1 }),
  },
  {
    keys: ['up'],
    label: '↑',
    when: plainText,
    footer: 'previous',
    description: 'form: the previous field (also Shift-Tab)',
    action: (c) => c.applyForm({ type: 'focus', delta: -1 }),
  },
  {
    keys: ['j', 'k', 'down', 'up'],
    label: 'j k ↓ ↑',
    footerLabel: '↑↓',
    when: choosing,
    footer: 'choose',
    description: 'form, a list: choose (it stops at the ends)',
    action: (c, p) => pickNext(c, updown(p)),
  },
  {
    keys: ['down', 'up'],
    label: '↓ ↑',
    footerLabel: '↑↓',
    when: picking,
    footer: 'pick found',
    description: 'form, values found on the host: pick one (or type a path)',
    action: (c, p) => c.applyForm({ type: 'choose', delta: updown(p) }),
  },
  {
    keys: ['tab'],
    when: inForm,
    footer: 'next field',
    footerWhen: (c) => !plainText(c),
    description: 'form: the next field',
    action: (c) => c.applyForm({ type: 'focus', delta: 1 }),
  },
  { keys: ['shift-tab'], when: inForm, description: 'form: the previous field', action: (c) => c.applyForm({ type: 'focus', delta: -1 }) },
  {
    keys: ['enter'],
    when: inForm,
    footer: 'next / plan',
    description: 'form: the next field; on the last one, plan it (nothing runs before you confirm the plan)',
    action: (c) => (c.local.form.focus >= c.local.form.fields.length - 1 ? c.submit() : c.applyForm({ type: 'focus', delta: 1 })),
  },
  { keys: ['p'], when: choosing, footer: 'plan', description: 'form, outside a text field: plan it now', action: (c) => c.submit() },
  { keys: ['esc'], when: inForm, footer: 'back', description: 'form: back (the values typed are kept)', action: (c) => c.onBack() },
  helpKey<C>({ when: choosing, footer: 'help' }),
  quitKey<C>({ when: choosing }),
  {
    keys: ['backspace'],
    when: typing,
    description: 'form, a text field: delete a character',
    action: (c) => c.applyForm({ type: 'backspace' }),
  },
  { keys: ['ctrl-u'], when: typing, description: 'form, a text field: clear it', action: (c) => c.applyForm({ type: 'clear' }) },
  {
    keys: ['text'],
    when: typing,
    description: 'form, a text field: type the value (q and ? too)',
    action: (c, p) => c.applyForm({ type: 'type', text: p.text }),
  },
  // the plan
  {
    keys: ['r', 'enter'],
    label: 'r Enter',
    when: inPlan,
    footer: 'run…',
    description: 'plan: run it (asks y/N first)',
    action: (c) => c.set({ confirm: true, error: undefined }),
  },
  // The Pager scrolls the plan itself (its movement keys): this entry only says so.
  {
    keys: [],
    label: 'j k ↓ ↑ PgDn PgUp g G',
    footerLabel: 'jk PgDn',
    when: inPlan,
    footer: 'scroll',
    description: 'plan: scroll it',
    action: () => {},
  },
  {
    keys: ['esc'],
    when: inPlan,
    footer: 'form',
    description: 'plan: back to the parameters',
    action: (c) => c.set({ phase: 'form', confirm: false, error: undefined }),
  },
  helpKey<C>({ when: inPlan, footer: 'help' }),
  quitKey<C>({ when: inPlan, footer: 'quit' }),
  // "Run it now? y/N"
  {
    keys: ['y', 'Y'],
    label: 'y',
    when: confirming,
    footer: 'run it now',
    description: 'plan, asked: run it now',
    action: (c) => {
      if (!c.onRun) return c.set({ confirm: false, error: 'Running is not available in this build (the engine is not wired).' });
      const err = c.onRun(c.local.params ?? {});
      if (err) c.set({ confirm: false, error: err });
    },
  },
  {
    keys: ['any'],
    label: 'n Esc (any other key)',
    footerLabel: 'n Esc',
    when: confirming,
    footer: 'not now',
    description: 'plan, asked: not now',
    action: (c) => c.set({ confirm: false, error: 'Not started.' }),
  },
];

export function ProcedureScreen(props: ProcedureScreenProps) {
  const { procedure, inventory } = props;
  const { width, height, active, onBack, onGlobal, onFooter, bindKeys } = useScreen(props);
  const entry = procedure.entry;
  const [local, getLocal, setLocal] = useLatestState<Local>(() => ({
    form: initialForm(procedure, inventory, { ...props.memory?.get(entry.id), ...props.prefill }),
    phase: 'form',
    confirm: false,
  }));
  const domain = useMemo(() => commonDomain(inventory.hosts), [inventory]);

  const validate = (params: Params): ParamError[] => [
    ...validateForm(procedure, params, inventory),
    ...(props.validateParams?.(procedure, params) ?? []),
  ];

  const applyForm = (action: FormAction) => {
    const l = getLocal();
    let form = reduceForm(l.form, action);
    if (form.submitted && action.type !== 'focus') form = reduceForm(form, { type: 'errors', errors: validate(formParams(form)) });
    props.memory?.set(entry.id, form.values);
    setLocal({ ...l, form, error: undefined });
  };

  // Values found on a host (e.g. the backups on the chosen member): asked through `discover` whenever a
  // field's host is chosen and has not been asked yet; answers are kept per host, failures asked again.
  const foundCache = useRef(new Map<string, FoundChoices>());
  const mounted = useRef(true);
  useEffect(() => () => void (mounted.current = false), []);
  const wanted = props.discover ? discoveryWanted(local.form) : [];
  const wantedKey = wanted.map((w) => `${w.param}\u0000${w.host}`).join('\n');
  // wantedKey is `wanted` as a string; the rest is read afresh (getLocal) or fixed for the screen (key =
  // procedure id); re-running on every render would put 'looking' again and again.
  // biome-ignore lint/correctness/useExhaustiveDependencies: only when wantedKey changes (above)
  useEffect(() => {
    const discover = props.discover;
    if (!discover) return;
    const put = (param: string, found: FoundChoices) => {
      if (!mounted.current) return;
      const l = getLocal();
      setLocal({ ...l, form: reduceForm(l.form, { type: 'found', param, found }) });
    };
    for (const { param, host } of wanted) {
      const key = `${param}\u0000${host}`;
      const cached = foundCache.current.get(key);
      if (cached) {
        put(param, cached);
        continue;
      }
      put(param, { status: 'looking', host });
      discover(procedure, param, formParams(getLocal().form)).then(
        (r) => {
          const found: FoundChoices = { status: 'found', host, options: r.choices.map((c) => ({ value: c.value, label: c.label })) };
          foundCache.current.set(key, found);
          put(param, found);
        },
        (e: unknown) => put(param, { status: 'failed', host, message: e instanceof Error ? e.message : String(e) }),
      );
    }
  }, [wantedKey]);

  const submit = () => {
    const l = getLocal();
    const params = formParams(l.form);
    const errors = validate(params);
    if (errors.length) {
      return setLocal({
        ...l,
        form: reduceForm(l.form, { type: 'errors', errors, moveFocus: true }),
        error: `Fix ${errors.length === 1 ? 'the field' : `the ${errors.length} fields`} marked ✗, then Enter again.`,
      });
    }
    const form = reduceForm(l.form, { type: 'errors', errors: [] });
    if (!props.planProcedure) return setLocal({ ...l, form, error: 'Planning is not available in this build (the engine is not wired).' });
    try {
      const plan = props.planProcedure(procedure, params);
      setLocal({ ...l, form, phase: 'plan', plan, params, confirm: false, error: undefined });
    } catch (err) {
      setLocal({ ...l, form, error: `Could not plan: ${err instanceof Error ? err.message : String(err)}` });
    }
  };

  const context = (): ProcedureKeyContext => ({
    local: getLocal(),
    applyForm,
    submit,
    set: (patch) => setLocal({ ...getLocal(), ...patch }),
    onRun: props.onRun,
    onBack,
    onGlobal,
  });
  useScreenKeys(PROCEDURE_KEYS, context, { active, bindKeys, onFooter });

  const headText = procedureHead(entry, width);
  const head = (
    <Text wrap='truncate'>
      <Txt bold>{headText}</Txt>
      <Txt
        tone={RISK_TONE[entry.risk]}
        bold={entry.risk === 'high' || entry.risk === 'destructive'}
      >{`risk ${entry.risk.toUpperCase()}`}</Txt>
    </Text>
  );

  if (local.phase === 'plan' && local.plan) {
    const plan = local.plan;
    const destructive = plan.filter((s) => s.destructive).length;
    const hosts = [...new Set(plan.flatMap((s) => s.hosts))];
    const bottom = local.confirm
      ? `Run it now on ${hosts.length} host${hosts.length === 1 ? '' : 's'}?` +
        `${destructive ? ` (${destructive} DESTRUCTIVE: its gate asks again)` : ''} y/N`
      : (local.error ?? 'r or Enter: run it (asks y/N first) · Esc: back to the parameters');
    return (
      <Box flexDirection='column' width={width} height={height}>
        <Pager
          title={`PLAN ${entry.id} — ${planSummary(plan)}`}
          lines={planLines(plan, local.params ?? {}, local.form.fields, domain)}
          width={width}
          height={height - 1}
          active={active && !local.confirm}
        />
        <Txt bold={local.confirm} tone={local.confirm ? 'warn' : undefined} inverse={local.confirm} wrap='truncate'>
          {bottom}
        </Txt>
      </Box>
    );
  }

  // The form: keep the focused field in view.
  const form = local.form;
  const summary = wrap(entry.summary, width).slice(0, 2);
  const room = Math.max(3, height - 3 - summary.length);
  let start = 0;
  const hs = form.fields.map((f, i) => fieldHeight(f, i === form.focus, !!form.errors[f.name], width, foundFor(form, f)));
  while (start < form.focus && hs.slice(start, form.focus + 1).reduce((a, b) => a + b, 0) > room) start++;
  let used = 0;
  let end = start;
  while (end < form.fields.length && used + hs[end]! <= room) used += hs[end++]!;
  if (end === start) end = start + 1;
  const hint =
    local.error ??
    (form.fields.length === 0
      ? 'No parameters: Enter plans it.'
      : 'Enter on the last field plans it (nothing runs before you confirm the plan).');
  return (
    <Box flexDirection='column' width={width} height={height} overflow='hidden'>
      {head}
      {summary.map((s, i) => (
        <Txt key={i} dim wrap='truncate'>
          {s}
        </Txt>
      ))}
      <Txt dim wrap='truncate'>
        {`PARAMETERS${start > 0 ? ` (↑ ${start} more above)` : ''}` +
          `${end < form.fields.length ? ` (↓ ${form.fields.length - end} more below)` : ''}`}
      </Txt>
      <Box flexDirection='column' height={room} overflow='hidden'>
        {form.fields.slice(start, end).map((f, k) => (
          <FieldRows
            key={f.name}
            field={f}
            value={form.values[f.name] ?? ''}
            focused={start + k === form.focus}
            error={form.errors[f.name]}
            width={width}
            found={foundFor(form, f)}
          />
        ))}
      </Box>
      <Txt tone={local.error ? 'bad' : undefined} bold={!!local.error} wrap='truncate'>
        {truncate(hint, width)}
      </Txt>
    </Box>
  );
}
