// `day2-tui config get|set|unset|list|path`: the console's own settings (src/settings/store.ts). The
// effective values and their origins were resolved with the rest of the command line (args.ts).
import { removeSetting, SETTING_KEYS, settingsPath, writeSetting } from '../settings/store.js';
import type { ConfigAction, EffectiveSetting, Env, GlobalOptions, SettingOrigin } from './args.js';

export interface ConfigIO {
  stdout: (text: string) => void;
  env: Env;
  cwd: string;
}

/** What applies when a setting has no value of its own. */
const NO_VALUE: Partial<Record<string, string>> = {
  'known-hosts': '(~/.ssh/known_hosts)',
  identity: '(ssh-agent and ~/.ssh/id_*)',
  kubeconfig: "(oc's own: ~/.kube/config)",
};

/** `flag --oc`, `env $DAY2_OC`, `config file PATH`, `default`. */
export function originText(origin: SettingOrigin): string {
  switch (origin.from) {
    case 'flag':
      return `flag ${origin.name}`;
    case 'env':
      return `env $${origin.name}`;
    case 'file':
      return `config file ${origin.name}`;
    case 'ansible':
      return origin.name;
    default:
      return 'default';
  }
}

function shown(key: string, setting: EffectiveSetting): string {
  return setting.value === undefined ? (NO_VALUE[key] ?? '') : String(setting.value);
}

function listText(settings: GlobalOptions['settings']): string {
  const width = Math.max(...SETTING_KEYS.map((k) => k.length)) + 2;
  const valueWidth = Math.max(...SETTING_KEYS.map((k) => shown(k, settings[k]).length)) + 2;
  return SETTING_KEYS.map((k) => `${k.padEnd(width)}${shown(k, settings[k]).padEnd(valueWidth)}${originText(settings[k].origin)}\n`).join(
    '',
  );
}

function listJson(settings: GlobalOptions['settings']): string {
  const entries = SETTING_KEYS.map((k) => [k, { value: settings[k].value ?? null, ...settings[k].origin }]);
  return `${JSON.stringify(Object.fromEntries(entries), null, 2)}\n`;
}

/** Runs one `config` action; returns the exit code (get: 1 when the setting has no value). */
export function runConfig(config: ConfigAction, options: GlobalOptions, io: ConfigIO): number {
  switch (config.action) {
    case 'path':
      io.stdout(`${settingsPath(io.env)}\n`);
      return 0;
    case 'list':
      io.stdout(config.json ? listJson(options.settings) : listText(options.settings));
      return 0;
    case 'get': {
      const { value } = options.settings[config.key];
      if (value === undefined) return 1;
      io.stdout(`${value}\n`);
      return 0;
    }
    case 'set':
      writeSetting(io.env, config.key, config.value, io.cwd);
      return 0;
    case 'unset':
      removeSetting(io.env, config.key);
      return 0;
  }
}
