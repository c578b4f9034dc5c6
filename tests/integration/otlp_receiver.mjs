// A minimal OTLP/HTTP logs receiver (JSON encoding) for the shipping tests and bench: accepts
// POST /v1/logs, checks the ExportLogsServiceRequest shape, appends each record's event id to
// OUT (one per line, unless OUT is "-"), and answers 200 {}. FAIL_FIRST=N answers 503 to the
// first N requests. Prints its port on stdout. Node's standard library only.
import http from 'node:http';
import fs from 'node:fs';

const out = process.argv[2] ?? '-';
let failFirst = Number(process.env.FAIL_FIRST ?? 0);
let records = 0;
const server = http.createServer((req, res) => {
  if (req.method !== 'POST' || req.url !== '/v1/logs' ||
      !String(req.headers['content-type']).startsWith('application/json')) {
    res.writeHead(404).end();
    return;
  }
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    if (failFirst > 0) {
      failFirst--;
      res.writeHead(503, {'content-type': 'application/json'}).end('{}');
      return;
    }
    let body;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      res.writeHead(400).end('{"message":"bad json"}');
      return;
    }
    const ids = [];
    for (const rl of body.resourceLogs ?? []) {
      for (const sl of rl.scopeLogs ?? []) {
        for (const lr of sl.logRecords ?? []) {
          const id = (lr.attributes ?? []).find((a) => a.key === 'blastwall.event.id');
          if (!id || typeof lr.timeUnixNano !== 'string') {
            res.writeHead(400).end('{"message":"bad record"}');
            return;
          }
          ids.push(id.value.intValue);
        }
      }
    }
    records += ids.length;
    if (out !== '-' && ids.length) fs.appendFileSync(out, ids.join('\n') + '\n');
    res.writeHead(200, {'content-type': 'application/json'}).end('{}');
  });
});
server.listen(0, '127.0.0.1', () => console.log(server.address().port));
process.on('SIGTERM', () => {
  console.error(`received ${records} records`);
  process.exit(0);
});
