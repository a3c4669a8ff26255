// What the product knows of every check and procedure of the guide (PROCEDURES.md), built or not.
import type { HostRole } from '../inventory/hosts.js';

export type EntryKind = 'procedure' | 'check' | 'info';
export type Risk = 'read-only' | 'low' | 'medium' | 'high' | 'destructive';

export interface ParameterInfo {
  name: string;
  description: string;
  required: boolean;
  /** Where the choices come from: hosts of an inventory role, a fixed list, or free text. */
  choices?: { fromRole: Exclude<HostRole, 'glusterfs'> } | { values: string[] };
  /** A secret is never written to a log, a journal, the screen or a plan. */
  secret?: boolean;
  default?: string;
}

export interface CatalogueEntry {
  id: string;
  kind: EntryKind;
  title: string;
  chapter: number;
  chapterTitle: string;
  /** Guide section number(s), e.g. "5.4.2.1". */
  section: string;
  /** Line of the section in the guide's text (shared/seed). */
  guideLine: number;
  risk: Risk;
  /** False until the procedure or check is implemented; the console marks it "not built yet". */
  built: boolean;
  /** One line in the operator's words. */
  summary: string;
  parameters: ParameterInfo[];
}
