// The earlier exporter's stack (Turndown 7.1.3 + js-yaml 4.1.0), as bench/compare.py drives it.
// Reads one JSON request a line on stdin, answers one JSON line on stdout:
//   {"load": {...cases}}          -> {"ok": true}
//   {"case": name, "n": k}        -> {"seconds": wall, "cpu": CPU seconds of the process, "texts": [...] if asked}
// A case is a list of items {html, front}; one repetition converts every item of the case:
// rich text to Markdown (lone U+200D lines emptied, as the exporter did), the front matter to
// YAML, and the file text "---\n" + yaml + "---\n\n\n".
'use strict';
const TurndownService = require('turndown');
const yaml = require('js-yaml');
const readline = require('readline');

const turndownService = new TurndownService();
let cases = {};

function fileText(item) {
  const front = Object.assign({}, item.front);
  front[item.key] = turndownService.turndown(item.html).replace(/^\u200d$/mg, '');
  return '---\n' + yaml.dump(front) + '---\n\n' + '' + '\n';
}

const rl = readline.createInterface({ input: process.stdin });
rl.on('line', (line) => {
  const request = JSON.parse(line);
  if (request.load) {
    cases = request.load;
    process.stdout.write(JSON.stringify({ ok: true, engine: 'node ' + process.version }) + '\n');
    return;
  }
  const items = cases[request.case];
  let texts = null;
  const cpu0 = process.cpuUsage();
  const started = process.hrtime.bigint();
  for (let r = 0; r < request.n; r++) {
    texts = items.map(fileText);
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const used = process.cpuUsage(cpu0);  // all of the process's threads (JIT, garbage collector)
  const cpu = (used.user + used.system) / 1e6;
  process.stdout.write(JSON.stringify({ seconds, cpu, texts: request.texts ? texts : null }) + '\n');
});
