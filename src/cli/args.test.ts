import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { DEFAULT_CONCURRENCY, type ParseDeps, type ParsedCommand, type ParseExit, type ParseResult, parseCommandLine } from './args.js';

const ENV = { HOME: '/home/op' };
const noFiles: ParseDeps = { defaultInventoryPath: '/nonexistent/day2-tui/hosts' };
const existing = fileURLToPath(import.meta.url); // stands in for an existing /etc/ansible/hosts

function parse(argv: string[], env: Record<string, string> = ENV, deps: ParseDeps = noFiles): ParseResult {
  return parseCommandLine(argv, env, deps);
}
function ok(argv: string[], env?: Record<string, string>, deps?: ParseDeps): ParsedCommand {
  const r = parse(argv, env, deps);
  assert.notEqual(r.kind, 'exit', `${argv.join(' ')} → ${JSON.stringify(r)}`);
  return r as ParsedCommand;
}
/** The parsed command without the settings' origins (settings.test.ts asserts those). */
function withoutOrigins(r: ParsedCommand): unknown {
  const { settings: _settings, ...options } = r.options;
  return { ...r, options };
}
/** A usage error: exactly one line on stderr, nothing on stdout, exit 2. */
function usageError(argv: string[], pattern: RegExp): string {
  const r = parse(argv);
  assert.equal(r.kind, 'exit', `${argv.join(' ')} parsed: ${JSON.stringify(r)}`);
  const e = r as ParseExit;
  assert.equal(e.code, 2);
  assert.equal(e.stdout, undefined);
  assert.ok(e.stderr, 'stderr');
  assert.ok(e.stderr.endsWith('\n'));
  assert.equal(e.stderr.trimEnd().split('\n').length, 1, `more than one line: ${JSON.stringify(e.stderr)}`);
  assert.match(e.stderr, /^day2-tui: /);
  assert.match(e.stderr, pattern);
  return e.stderr;
}

test('no command: the console, with defaults', () => {
  const r = withoutOrigins(ok([]));
  assert.deepEqual(r, {
    kind: 'console',
    options: {
      inventory: { kind: 'demo', reason: 'no-inventory' },
      stateDir: '/home/op/.local/state/day2-tui',
      ocPath: 'oc',
      concurrency: DEFAULT_CONCURRENCY,
      color: true,
      debug: false,
    },
  });
});

test('--demo[=NAME]: the scenario travels on the source; a bare --demo never takes the next word', () => {
  assert.deepEqual(ok(['--demo=etcd-quorum-lost']).options.inventory, { kind: 'demo', reason: 'flag', scenario: 'etcd-quorum-lost' });
  assert.deepEqual(ok(['--demo=']).options.inventory, { kind: 'demo', reason: 'flag' });
  const console_ = ok(['--demo']);
  assert.equal(console_.kind, 'console');
  assert.deepEqual(console_.options.inventory, { kind: 'demo', reason: 'flag' });
  const run = ok(['--demo', 'run', 'etcd-backup']);
  assert.equal(run.kind, 'run');
  assert.deepEqual(run.options.inventory, { kind: 'demo', reason: 'flag' });
  const after = ok(['run', 'etcd-backup', '--demo', '--yes']);
  assert.ok(after.kind === 'run' && after.procedure === 'etcd-backup' && after.yes);
  assert.deepEqual(after.options.inventory, { kind: 'demo', reason: 'flag' });
  const named = ok(['plan', 'etcd-restore', '--demo=etcd-quorum-lost']);
  assert.deepEqual(named.options.inventory, { kind: 'demo', reason: 'flag', scenario: 'etcd-quorum-lost' });
  assert.equal(ok(['--demo', 'list']).kind, 'list');
  assert.equal(ok(['check', '--demo=showcase']).kind, 'check');
  // an unknown scenario: one line naming it and listing the known ones
  usageError(['--demo=etcd-broke'], /unknown demo scenario 'etcd-broke' \(the scenarios: healthy, showcase, etcd-quorum-lost, /);
  usageError(['--demo=nope', '-i', 'x'], /--demo.*cannot be used with.*--inventory/);
  // --help lists the scenarios with their one-liners, within 80 columns
  const help = (parse(['--help']) as ParseExit).stdout ?? '';
  for (const id of ['healthy', 'showcase', 'etcd-quorum-lost', 'etcd-member-failed', 'node-notready', 'devicemapper-node'])
    assert.match(help, new RegExp(`^  ${id} +\\S`, 'm'), `help lacks ${id}`);
  assert.match(help, /rehearse: etcd-restore/);
  const scenarios = help.slice(help.indexOf('Demo scenarios'), help.indexOf('Exit codes'));
  for (const line of scenarios.split('\n')) assert.ok(line.length <= 80, `help line over 80 columns: ${line}`);
});

test('inventory: option, then $DAY2_INVENTORY, then /etc/ansible/hosts, then demo', () => {
  const all: ParseDeps = { defaultInventoryPath: existing };
  assert.deepEqual(ok(['-i', 'inv.ini'], { DAY2_INVENTORY: '/env/hosts' }, all).options.inventory, {
    kind: 'file',
    path: resolve('inv.ini'),
    from: 'flag',
  });
  assert.deepEqual(ok(['--inventory=/x/inv2'], {}, all).options.inventory, { kind: 'file', path: '/x/inv2', from: 'flag' });
  assert.deepEqual(ok([], { DAY2_INVENTORY: '/env/hosts' }, all).options.inventory, { kind: 'file', path: '/env/hosts', from: 'env' });
  assert.deepEqual(ok([], {}, all).options.inventory, { kind: 'file', path: existing, from: 'default' });
  assert.deepEqual(ok([], {}, noFiles).options.inventory, { kind: 'demo', reason: 'no-inventory' });
  assert.deepEqual(ok(['--demo'], { DAY2_INVENTORY: '/env/hosts' }, all).options.inventory, { kind: 'demo', reason: 'flag' });
  usageError(['--demo', '-i', 'x'], /--demo.*cannot be used with.*--inventory/);
  usageError(['-i'], /argument missing/);
  usageError(['-i', ''], /--inventory needs a value/);
});

test('global options before or after the subcommand', () => {
  const argvs = [
    [
      '-i',
      'h.ini',
      '--known-hosts',
      'kh',
      '--identity',
      'id',
      '--state-dir',
      '/s',
      '--oc',
      '/usr/bin/oc',
      '--concurrency',
      '7',
      '--no-color',
      'list',
    ],
    [
      'list',
      '-i',
      'h.ini',
      '--known-hosts',
      'kh',
      '--identity',
      'id',
      '--state-dir',
      '/s',
      '--oc',
      '/usr/bin/oc',
      '--concurrency',
      '7',
      '--no-color',
    ],
    [
      '--concurrency=7',
      'list',
      '-i',
      'h.ini',
      '--known-hosts=kh',
      '--identity',
      'id',
      '--state-dir',
      '/s',
      '--oc',
      '/usr/bin/oc',
      '--no-color',
    ],
  ];
  for (const argv of argvs) {
    assert.deepEqual(
      withoutOrigins(ok(argv)),
      {
        kind: 'list',
        json: false,
        options: {
          inventory: { kind: 'file', path: resolve('h.ini'), from: 'flag' },
          knownHostsFile: 'kh',
          identityFile: 'id',
          stateDir: '/s',
          ocPath: '/usr/bin/oc',
          concurrency: 7,
          color: false,
          debug: false,
        },
      },
      argv.join(' '),
    );
  }
});

test('environment: NO_COLOR, XDG_STATE_HOME, DAY2_DEBUG', () => {
  const r = ok(['runs'], { NO_COLOR: '1', XDG_STATE_HOME: '/xdg', DAY2_DEBUG: '1', HOME: '/h' });
  assert.equal(r.options.color, false);
  assert.equal(r.options.stateDir, '/xdg/day2-tui');
  assert.equal(r.options.debug, true);
  assert.equal(ok(['runs'], { NO_COLOR: '', DAY2_DEBUG: '0' }).options.color, true);
  assert.equal(ok(['runs'], { DAY2_DEBUG: '0' }).options.debug, false);
});

test('check', () => {
  assert.deepEqual(
    (({ options, ...rest }) => rest)(ok(['check', '--json', '--only', 'ntp,etcd-health', '--limit', 'master-0.example.com,node-1'])),
    { kind: 'check', json: true, only: ['ntp', 'etcd-health'], limit: ['master-0.example.com', 'node-1'] },
  );
  const plain = ok(['check']);
  assert.deepEqual([plain.kind, 'json' in plain && plain.json, 'only' in plain, 'limit' in plain], ['check', false, false, false]);
  // repeated and de-duplicated
  const rep = ok(['check', '--only', 'ntp', '--only', 'disk,ntp']);
  assert.deepEqual(rep.kind === 'check' && rep.only, ['ntp', 'disk']);
  usageError(['check', '--only', 'ntp,,disk'], /--only.*comma-separated/);
  usageError(['check', '--only', 'frobnicate'], /unknown check 'frobnicate'/);
  usageError(['check', '--only', 'etcd-restore'], /unknown check 'etcd-restore'/);
  usageError(['check', '--limit'], /--limit.*argument missing/);
});

test('list and runs', () => {
  assert.deepEqual([ok(['list']).kind, (ok(['list']) as { json: boolean }).json], ['list', false]);
  assert.equal((ok(['list', '--json']) as { json: boolean }).json, true);
  assert.equal((ok(['runs', '--json']) as { json: boolean }).json, true);
  assert.equal(ok(['runs']).kind, 'runs');
  usageError(['list', 'extra'], /too many arguments for 'list'/);
});

test('plan and run with --param (value may contain =)', () => {
  const plan = ok(['plan', 'etcd-restore', '--param', 'host=etcd-0', '--param', 'backup=/backup/etcd-2024=01']);
  assert.equal(plan.kind, 'plan');
  assert.deepEqual(plan.kind === 'plan' && [plan.procedure, plan.params], [
    'etcd-restore',
    { host: 'etcd-0', backup: '/backup/etcd-2024=01' },
  ]);

  const run = ok(['run', 'registry-auth-secret', '--param=project=p', '--param', 'password=a=b=c', '--yes']);
  assert.deepEqual(run.kind === 'run' && [run.procedure, run.params, run.yes], [
    'registry-auth-secret',
    { project: 'p', password: 'a=b=c' },
    true,
  ]);
  const noYes = ok(['run', 'node-evacuate', '--param', 'node=n1']);
  assert.equal(noYes.kind === 'run' && noYes.yes, false);
  assert.equal((ok(['run', '-y', 'node-evacuate']) as { yes: boolean }).yes, true);
  // empty value is allowed; the procedure decides
  assert.deepEqual((ok(['plan', 'etcd-restore', '--param', 'backup=']) as { params: object }).params, { backup: '' });
  assert.deepEqual((ok(['plan', 'etcd-restore']) as { params: object }).params, {});
});

test('--param errors', () => {
  usageError(['plan', 'etcd-restore', '--param', 'hostetcd-0'], /--param.*key=value/);
  usageError(['plan', 'etcd-restore', '--param', '=x'], /--param.*key=value/);
  usageError(['plan', 'etcd-restore', '--param'], /--param.*argument missing/);
  usageError(['plan', 'etcd-restore', '--param', 'nope=1'], /etcd-restore has no parameter 'nope' \(its parameters: host, backup\)/);
  usageError(['plan', 'etcd-restore', '--param', 'host=a', '--param', 'host=b'], /--param host given twice/);
  usageError(['run', 'fix-ntp', '--param', 'method=ntpd'], /--param method must be one of set-ntp, chrony/);
});

test('plan/run need a known procedure', () => {
  usageError(['plan'], /missing required argument 'procedure'.*day2-tui plan --help/);
  usageError(['run', 'frobnicate'], /unknown procedure 'frobnicate' \(see day2-tui list\)/);
  usageError(['run', 'ntp'], /'ntp' is a check, not a procedure/);
  usageError(
    ['plan', 'info-pruning'],
    /is guidance, not a procedure: open it in the console \(:info-pruning\); the procedure prune does what it says: `day2-tui plan prune`/,
  );
  usageError(['run', 'info-prometheus'], /is guidance, not a procedure: open it in the console \(:info-prometheus\) \(see/);
  usageError(['plan', 'a', 'b'], /too many arguments for 'plan'/);
});

test('resume', () => {
  const r = ok(['resume', '20240101-etcd-restore-ab12', '--yes']);
  assert.deepEqual(r.kind === 'resume' && [r.runId, r.yes], ['20240101-etcd-restore-ab12', true]);
  assert.equal((ok(['resume', 'x']) as { yes: boolean }).yes, false);
  usageError(['resume'], /missing required argument 'run-id'/);
});

test('report: the run id, Markdown unless --format json; another format is refused', () => {
  const r = ok(['report', '20240101-etcd-restore-ab12']);
  assert.deepEqual(r.kind === 'report' && [r.runId, r.format], ['20240101-etcd-restore-ab12', 'md']);
  assert.equal((ok(['report', 'x', '--format', 'json']) as { format: string }).format, 'json');
  usageError(['report'], /missing required argument 'run-id'/);
  usageError(['report', 'x', '--format', 'xml'], /Allowed choices are md, json/);
});

test('--concurrency must be a positive integer', () => {
  assert.equal(ok(['--concurrency', '1']).options.concurrency, 1);
  assert.equal(ok(['check', '--concurrency', '50']).options.concurrency, 50);
  for (const bad of ['0', '-1', '1.5', 'abc', '', '1e3', '99999999999999999999']) {
    usageError(['--concurrency', bad], /--concurrency.*positive integer/);
  }
});

test('unknown commands and options: one line, exit 2', () => {
  const line = usageError(['--frobnicate'], /unknown option '--frobnicate'/);
  assert.equal(line, "day2-tui: unknown option '--frobnicate' (see day2-tui --help)\n");
  assert.equal(
    usageError(['frobnicate'], /unknown command 'frobnicate'/),
    "day2-tui: unknown command 'frobnicate' (see day2-tui --help)\n",
  );
  usageError(['lst'], /unknown command 'lst': did you mean list\?/);
  usageError(['check', '--frobnicate'], /unknown option '--frobnicate'.*see day2-tui check --help/);
  usageError(['list', '--jsn'], /did you mean --json\?/);
  usageError(['run', 'etcd-restore', '--json'], /unknown option '--json'/);
  usageError(['-v'], /unknown option '-v'/);
  assert.equal(usageError(['help', 'frobnicate'], /unknown command/), "day2-tui: unknown command 'frobnicate' (see day2-tui --help)\n");
});

test('--help and help: usage on stdout, exit 0', () => {
  for (const argv of [['--help'], ['-h'], ['help']]) {
    const r = parse(argv);
    assert.equal(r.kind, 'exit');
    const e = r as ParseExit;
    assert.equal(e.code, 0);
    assert.equal(e.stderr, undefined);
    assert.match(e.stdout ?? '', /^Usage: day2-tui \[options\] \[command\]/);
    for (const word of [
      'check',
      'list',
      'plan',
      'run',
      'runs',
      'resume',
      '--inventory',
      '--demo',
      '--known-hosts',
      '--identity',
      '--state-dir',
      '--oc',
      '--concurrency',
      '--no-color',
      '--version',
      'DAY2_INVENTORY',
    ]) {
      assert.ok(e.stdout?.includes(word), `help lacks ${word}`);
    }
  }
  for (const argv of [
    ['run', '--help'],
    ['help', 'run'],
  ]) {
    const e = parse(argv) as ParseExit;
    assert.equal(e.code, 0);
    assert.match(e.stdout ?? '', /^Usage: day2-tui run \[options\] <procedure>/);
    assert.match(e.stdout ?? '', /--param/);
    assert.match(e.stdout ?? '', /--inventory/); // global options shown too
  }
});

test('--version and -V print the package version', () => {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  assert.deepEqual(parse(['--version']), { kind: 'exit', code: 0, stdout: `${pkg.version}\n` });
  assert.deepEqual(parse(['-V']), { kind: 'exit', code: 0, stdout: `${pkg.version}\n` });
});

test('parsing twice gives the same result (no shared state)', () => {
  const argv = ['check', '--only', 'ntp', '--concurrency', '3'];
  assert.deepEqual(ok(argv), ok(argv));
});

test('--help fits 80 columns and names the exit codes of run, the console and completion', () => {
  const help = (parse(['--help']) as ParseExit).stdout ?? '';
  for (const line of help.split('\n')) assert.ok(line.length <= 80, `too wide: ${line}`);
  assert.match(help, /3 a gate stopped it\n {2}without --yes; 4 refused by a precondition/);
  assert.match(help, /130 after Ctrl-C/);
  assert.match(help, /completion bash/);
});
