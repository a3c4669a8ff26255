// The Procedure screen's parameter form as pure logic: fields from the procedure's parameters (choices
// from the inventory's roles, or found on a host: ParameterSpec.discover), editing, moving between
// fields, validation. No React; the screen asks for the discoveries (discoveryWanted) and hands the
// answers back ('found').

import type { Params, Procedure } from '../engine/types.js';
import { hostsOfRole } from '../inventory/hosts.js';
import type { Inventory } from '../inventory/types.js';

export interface FieldOption {
  value: string;
  label: string;
}

export interface FormField {
  name: string;
  description: string;
  required: boolean;
  secret: boolean;
  /** `choice`: pick one of `options` (↑↓); `text`: type. */
  kind: 'text' | 'choice';
  options: FieldOption[];
  default?: string;
  /** A text field whose values can also be picked from those found on the host chosen in `hostParam`. */
  discover?: { describe: string; hostParam: string };
}

/** What was found for a field with `discover`, on `host`. */
export type FoundChoices =
  | { status: 'looking'; host: string }
  | { status: 'found'; host: string; options: FieldOption[] }
  | { status: 'failed'; host: string; message: string };

export interface ParamError {
  param: string;
  message: string;
}

export interface FormState {
  fields: FormField[];
  values: Record<string, string>;
  /** Index of the focused field. */
  focus: number;
  /** Field name → what is wrong and what to do (shown under the field). */
  errors: Record<string, string>;
  /** Set after the first attempt to plan: errors then follow every change. */
  submitted: boolean;
  /** Field name → what was found on its host (fields with `discover`). */
  found: Record<string, FoundChoices>;
}

export function formFields(procedure: Procedure, inventory: Inventory): FormField[] {
  return procedure.parameters.map((p): FormField => {
    const f: FormField = { name: p.name, description: p.description, required: p.required, secret: !!p.secret, kind: 'text', options: [] };
    if (p.default !== undefined) f.default = p.default;
    if (p.discover && !p.choices) f.discover = { describe: p.discover.describe, hostParam: p.discover.where.param };
    if (p.choices) {
      f.kind = 'choice';
      const values = 'fromRole' in p.choices ? hostsOfRole(inventory, p.choices.fromRole).map((h) => h.name) : p.choices.values;
      f.options = values.map((v) => ({ value: v, label: v }));
      if (!p.required && p.default === undefined) f.options.unshift({ value: '', label: '(none — see the description)' });
    }
    return f;
  });
}

export function initialForm(procedure: Procedure, inventory: Inventory, previous?: Record<string, string>): FormState {
  const fields = formFields(procedure, inventory);
  const values: Record<string, string> = {};
  for (const f of fields) {
    const prev = previous?.[f.name];
    if (prev !== undefined && (f.kind === 'text' || f.options.some((o) => o.value === prev))) values[f.name] = prev;
    // A text default stays a placeholder (it may be a pattern such as /backup/etcd-<YYYYMMDD>): the
    // procedure applies its own default to an empty value.
    else if (f.default !== undefined && f.kind === 'choice' && f.options.some((o) => o.value === f.default)) values[f.name] = f.default;
    else values[f.name] = f.kind === 'choice' ? (f.options[0]?.value ?? '') : '';
  }
  return { fields, values, focus: 0, errors: {}, submitted: false, found: {} };
}

/** The parameters to plan with: empty values left out (the procedure's defaults apply). */
export function formParams(form: FormState): Params {
  const out: Record<string, string> = {};
  for (const f of form.fields) {
    const v = form.values[f.name] ?? '';
    if (v !== '') out[f.name] = f.secret ? v : v.trim();
  }
  return out;
}

/** Required values, choices, and each parameter's own check against the inventory. */
export function validateForm(procedure: Procedure, params: Params, inventory: Inventory): ParamError[] {
  const errors: ParamError[] = [];
  const fields = formFields(procedure, inventory);
  for (const spec of procedure.parameters) {
    const v = params[spec.name];
    const field = fields.find((f) => f.name === spec.name)!;
    if (v === undefined || v === '') {
      if (spec.required && spec.default === undefined) {
        errors.push({
          param: spec.name,
          message:
            field.kind === 'choice'
              ? field.options.length
                ? `${spec.name} is required: choose one with ↑↓.`
                : `${spec.name} is required, but the inventory has no host to choose from (` +
                  `${'fromRole' in spec.choices! ? `role ${(spec.choices as { fromRole: string }).fromRole}` : 'no choices'}).`
              : `${spec.name} is required: type ${spec.description.charAt(0).toLowerCase() + spec.description.slice(1)}.`,
        });
      }
      continue;
    }
    if (field.kind === 'choice' && !field.options.some((o) => o.value === v)) {
      errors.push({
        param: spec.name,
        message: `${spec.name}: "${v}" is not one of ${field.options
          .map((o) => o.value)
          .filter(Boolean)
          .join(', ')}.`,
      });
      continue;
    }
    const own = spec.validate?.(v, inventory);
    if (own) errors.push({ param: spec.name, message: own.startsWith(spec.name) ? own : `${spec.name}: ${own}` });
  }
  return errors;
}

export function errorsByField(errors: readonly ParamError[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of errors) if (!(e.param in out)) out[e.param] = e.message;
  return out;
}

export type FormAction =
  | { type: 'focus'; delta: number }
  /** A choice field's value (one of its options; anything else changes nothing). */
  | { type: 'pick'; param: string; value: string }
  /** A text field's values found on its host: ↓ from a typed value takes the newest, then one at a time. */
  | { type: 'choose'; delta: number }
  | { type: 'type'; text: string }
  | { type: 'backspace' }
  | { type: 'clear' }
  /** Validation result; `moveFocus`: to the first field in error (on an attempt to plan). */
  | { type: 'errors'; errors: readonly ParamError[]; moveFocus?: boolean }
  /** A discovery's state for a field (ignored when its host is no longer the one chosen). */
  | { type: 'found'; param: string; found: FoundChoices };

export function focusedField(form: FormState): FormField | undefined {
  return form.fields[form.focus];
}

export function reduceForm(form: FormState, action: FormAction): FormState {
  const field = focusedField(form);
  switch (action.type) {
    case 'focus':
      return { ...form, focus: Math.max(0, Math.min(form.fields.length - 1, form.focus + action.delta)) };
    case 'pick': {
      const f = form.fields.find((x) => x.name === action.param);
      if (f?.kind !== 'choice' || !f.options.some((o) => o.value === action.value)) return form;
      return { ...form, values: { ...form.values, [f.name]: action.value } };
    }
    case 'choose': {
      const found = field?.kind === 'text' ? foundOptions(form, field) : [];
      if (!field || found.length === 0) return form;
      const i = found.findIndex((o) => o.value === form.values[field.name]);
      const j = i < 0 ? 0 : Math.max(0, Math.min(found.length - 1, i + action.delta));
      return { ...form, values: { ...form.values, [field.name]: found[j]!.value } };
    }
    case 'type':
      if (field?.kind !== 'text') return form;
      return { ...form, values: { ...form.values, [field.name]: (form.values[field.name] ?? '') + action.text } };
    case 'backspace':
      if (field?.kind !== 'text') return form;
      return { ...form, values: { ...form.values, [field.name]: [...(form.values[field.name] ?? '')].slice(0, -1).join('') } };
    case 'clear':
      if (field?.kind !== 'text') return form;
      return { ...form, values: { ...form.values, [field.name]: '' } };
    case 'errors': {
      const errors = errorsByField(action.errors);
      const first = form.fields.findIndex((f) => f.name in errors);
      return { ...form, errors, submitted: true, focus: action.moveFocus && first >= 0 ? first : form.focus };
    }
    case 'found': {
      const f = form.fields.find((x) => x.name === action.param);
      if (!f?.discover || form.values[f.discover.hostParam] !== action.found.host) return form;
      return { ...form, found: { ...form.found, [action.param]: action.found } };
    }
  }
}

/** The values found for a field on its currently chosen host (empty while looking, after a failure, or for another host). */
export function foundOptions(form: FormState, field: FormField): FieldOption[] {
  const f = form.found[field.name];
  if (!field.discover || !f || f.status !== 'found' || f.host !== form.values[field.discover.hostParam]) return [];
  return f.options;
}

/** What was found for a field on its currently chosen host, if anything was asked yet. */
export function foundFor(form: FormState, field: FormField): FoundChoices | undefined {
  const f = form.found[field.name];
  return field.discover && f && f.host === form.values[field.discover.hostParam] ? f : undefined;
}

/** The discoveries the form needs now: a field with `discover` whose chosen host has not been asked yet. */
export function discoveryWanted(form: FormState): { param: string; host: string }[] {
  const out: { param: string; host: string }[] = [];
  for (const f of form.fields) {
    if (!f.discover) continue;
    const host = form.values[f.discover.hostParam] ?? '';
    if (host !== '' && form.found[f.name]?.host !== host) out.push({ param: f.name, host });
  }
  return out;
}

/** A value as shown: secrets masked. */
export function shownValue(field: FormField, value: string): string {
  return field.secret ? '•'.repeat([...value].length) : value;
}
