/** The one stylesheet of the web pages, served at /assets/repute.css (pages allow no inline style). */
export const STYLESHEET = `
:root { --fg: #1d2327; --muted: #5f6b73; --line: #d9dee2; --bg: #f6f7f8; --accent: #1f5f99; --bad: #b3261e; --warn: #9a6700; --ok: #1e7a3c; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); }
header.top { background: #15324f; color: #fff; padding: 10px 24px; display: flex; gap: 24px; align-items: center; }
header.top a { color: #fff; text-decoration: none; }
header.top .brand { font-weight: 700; font-size: 17px; }
header.top .who { margin-left: auto; display: flex; gap: 12px; align-items: center; font-size: 14px; }
header.top form { margin: 0; }
header.top button { background: transparent; color: #fff; border: 1px solid #ffffff80; padding: 3px 10px; }
main { max-width: 1120px; margin: 0 auto; padding: 20px 24px 48px; }
main.narrow { max-width: 640px; }
h1 { font-size: 24px; margin: 8px 0 16px; }
h2 { font-size: 18px; margin: 28px 0 10px; }
a { color: var(--accent); }
.card { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 16px 18px; margin: 0 0 18px; }
table { border-collapse: collapse; width: 100%; background: #fff; font-size: 14px; }
.table-wrap { overflow-x: auto; max-width: 100%; margin: 0 0 12px; }
td { overflow-wrap: break-word; }
td.subject, dl.facts dd { overflow-wrap: anywhere; }
td.subject { min-width: 12em; max-width: 28em; }
td.num, td time, td .status, td .evidence { white-space: nowrap; }
table.reports tbody.report tr:first-child td { border-bottom: none; }
table.reports tr.fields td { padding-top: 0; }
table.reports tr.fields summary { font-size: 13px; }
th, td { text-align: left; padding: 6px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { color: var(--muted); font-weight: 600; font-size: 13px; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.muted { color: var(--muted); }
.status { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 13px; font-weight: 600; background: #e6eef5; }
.status-blocked, .status-restricted, .status-restricted_unregistered, .status-failed, .status-suspended { background: #fbe4e2; color: var(--bad); }
.status-warned { background: #fff4d6; color: var(--warn); }
.evidence { font-size: .8em; padding: 0 .4em; border-radius: .3em; border: 1px solid currentColor; }
.evidence-verified, .evidence-partner { color: var(--ok); }
.evidence-claimed { color: var(--muted); }
.status-ok, .status-active, .status-processed, .status-delisted { background: #e3f4e8; color: var(--ok); }
.grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(160px, 1fr)); gap: 12px; }
.metric { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 10px 12px; }
.metric .value { font-size: 20px; font-weight: 700; }
.metric .value time { font-size: 15px; }
.metric .label { color: var(--muted); font-size: 13px; }
form.stack label { display: block; font-weight: 600; margin: 12px 0 4px; }
form.stack .hint { color: var(--muted); font-size: 13px; margin: 2px 0 0; }
input[type=text], input[type=email], input[type=password], textarea { width: 100%; padding: 8px 10px; font: inherit; border: 1px solid #aab4bc; border-radius: 4px; background: #fff; }
textarea { min-height: 70px; }
button, .button { font: inherit; padding: 7px 16px; border-radius: 4px; border: 1px solid var(--accent); background: var(--accent); color: #fff; cursor: pointer; text-decoration: none; display: inline-block; }
button.danger { background: var(--bad); border-color: var(--bad); }
button.secondary { background: #fff; color: var(--accent); }
.actions { display: grid; grid-template-columns: repeat(auto-fit, minmax(300px, 1fr)); gap: 16px; }
.checks label { font-weight: 400; display: flex; gap: 8px; align-items: baseline; margin: 6px 0; }
.error { color: var(--bad); font-weight: 600; margin: 4px 0 0; }
.notice { border-left: 4px solid var(--accent); background: #fff; padding: 12px 16px; margin: 0 0 18px; }
.notice.bad { border-color: var(--bad); }
.notice.good { border-color: var(--ok); }
pre.raw { background: #fff; border: 1px solid var(--line); padding: 12px; overflow: auto; max-height: 640px; font-size: 12.5px; white-space: pre-wrap; word-break: break-all; }
code { font-size: 13px; }
svg.chart { width: 100%; height: auto; background: #fff; }
svg.chart .axis { font-size: 11px; fill: #5f6b73; }
svg.chart .panel-title { font-size: 12px; font-weight: 600; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; margin: 0; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; word-break: break-word; }
details summary { cursor: pointer; color: var(--accent); }
footer { color: var(--muted); font-size: 13px; text-align: center; padding: 24px; }
`;
