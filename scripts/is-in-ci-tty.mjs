// Replaces the `is-in-ci` package inside the bundle. Ink reads it to withhold every frame until exit
// when CI or CONTINUOUS_INTEGRATION is set: right for a build log, wrong for the console, which only
// starts on a terminal (src/cli/main.ts refuses otherwise). An operator's shell, or a CI job driving
// the console in tmux, may carry CI=true; the screen must still draw.
const check = (key) => key in process.env && process.env[key] !== '0' && process.env[key] !== 'false';
const onTerminal = Boolean(process.stdout.isTTY);
export default !onTerminal && (check('CI') || check('CONTINUOUS_INTEGRATION'));
