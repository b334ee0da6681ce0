// kiri's Node.js bootstrap: a Lambda Runtime API client using only Node's
// standard library. It mirrors AWS's Node runtime where functions can observe
// it: handler resolution and its error types, the context object, callback /
// async / promise handlers, callbackWaitsForEmptyEventLoop and the console
// log format "<iso time>\t<request id>\tINFO\t<message>".
'use strict';

const http = require('http');
const path = require('path');
const util = require('util');
const fs = require('fs');
const url = require('url');
const { Writable } = require('stream');

const [HOST, PORT] = process.env.AWS_LAMBDA_RUNTIME_API.split(':');
const BASE = '/2018-06-01/runtime';
const TASK_ROOT = process.env.LAMBDA_TASK_ROOT || process.cwd();
// A keep-alive agent saves a TCP handshake per invocation; its idle sockets
// are unreferenced below so they never hold the event loop open.
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
agent.on('free', (socket) => socket.unref());

let currentRequestId;
// lastRequestId is the invocation a fatal error is reported against: the
// running one, or the last one if the error comes between invocations.
let lastRequestId;

// Console: every line is one log event; embedded newlines become carriage
// returns (kiri turns them back into newlines within the event), as AWS does.
function patchConsole() {
  const write = (level) => (...args) => {
    const msg = util.format(...args).replace(/\n/g, '\r');
    process.stdout.write(`${new Date().toISOString()}\t${currentRequestId}\t${level}\t${msg}\n`);
  };
  console.log = write('INFO');
  console.info = write('INFO');
  console.debug = write('DEBUG');
  console.warn = write('WARN');
  console.error = write('ERROR');
  console.trace = write('TRACE');
  console.fatal = write('FATAL');
}

function request(method, p, body, headers) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: HOST, port: PORT, method, path: p, agent, headers: headers || {} }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ res, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

function errorJSON(err) {
  if (err instanceof Error) {
    return {
      errorType: err.name || 'Error',
      errorMessage: err.message,
      trace: String(err.stack || '').split('\n'),
    };
  }
  if (typeof err === 'string') return { errorType: 'string', errorMessage: err, trace: [] };
  let msg;
  try { msg = JSON.stringify(err); } catch (e) { msg = String(err); }
  return { errorType: typeof err, errorMessage: msg, trace: [] };
}

class Fault extends Error {
  constructor(name, message) { super(message); this.name = name; }
}

async function loadHandler(handler) {
  const m = /^([^.]*)\.(.*)$/.exec(handler || '');
  if (!m || !m[1] || !m[2]) throw new Fault('Runtime.MalformedHandlerName', 'Bad handler');
  const [, modPath, fnPath] = m;
  const base = path.resolve(TASK_ROOT, modPath);
  let mod;
  const exists = (f) => { try { return fs.statSync(f).isFile(); } catch (e) { return false; } };
  try {
    if (exists(base + '.mjs')) {
      mod = await import(url.pathToFileURL(base + '.mjs').href);
    } else if (exists(base + '.cjs')) {
      mod = require(base + '.cjs');
    } else {
      try {
        mod = require(base);
      } catch (e) {
        if (e && e.code === 'ERR_REQUIRE_ESM') mod = await import(url.pathToFileURL(base + '.js').href);
        else throw e;
      }
    }
  } catch (e) {
    if (e && e.code === 'MODULE_NOT_FOUND' && String(e.message).includes(base)) {
      throw new Fault('Runtime.ImportModuleError', `Error: Cannot find module '${modPath}'\nRequire stack:\n- ${__filename}`);
    }
    if (e instanceof SyntaxError) throw new Fault('Runtime.UserCodeSyntaxError', `${e.name}: ${e.message}`);
    throw e;
  }
  let fn = mod;
  for (const part of fnPath.split('.')) fn = fn == null ? undefined : fn[part];
  if (typeof fn !== 'function') {
    throw new Fault('Runtime.HandlerNotFound', `${modPath}.${fnPath} is undefined or not exported`);
  }
  return fn;
}

// drained resolves when nothing but the runtime itself keeps the event loop
// alive: Node emits 'beforeExit' exactly then.
function drained() {
  return new Promise((resolve) => process.once('beforeExit', resolve));
}

// runHandler settles with {ok, value} or {ok:false, error} following AWS's
// rules: a returned promise settles the invocation; otherwise the callback
// (or context.done/succeed/fail) does, after the event loop drains when
// callbackWaitsForEmptyEventLoop is true; a handler that does neither
// returns null once the event loop drains.
function runHandler(fn, event, context) {
  return new Promise((resolve) => {
    let settled = false;
    const finish = (outcome, wait) => {
      if (settled) return;
      settled = true;
      if (wait && context.callbackWaitsForEmptyEventLoop) {
        drained().then(() => resolve(outcome));
      } else {
        resolve(outcome);
      }
    };
    const callback = (err, value) => {
      if (err !== undefined && err !== null) finish({ ok: false, error: err }, true);
      else finish({ ok: true, value }, true);
    };
    context.done = (err, value) => callback(err, value);
    context.succeed = (value) => finish({ ok: true, value }, false);
    context.fail = (err) => finish({ ok: false, error: err === undefined ? 'handled' : err }, false);
    let ret;
    try {
      ret = fn(event, context, callback);
    } catch (e) {
      finish({ ok: false, error: e }, false);
      return;
    }
    if (ret && typeof ret.then === 'function') {
      ret.then((value) => finish({ ok: true, value }, false), (e) => finish({ ok: false, error: e }, false));
    } else if (fn.length < 3) {
      // Neither a promise nor a callback: wait for the loop to drain.
      drained().then(() => finish({ ok: true, value: null }, false));
    }
  });
}

async function invoke(fn, res, body) {
  const id = res.headers['lambda-runtime-aws-request-id'];
  currentRequestId = id;
  lastRequestId = id;
  const deadline = Number(res.headers['lambda-runtime-deadline-ms'] || 0);
  if (res.headers['lambda-runtime-trace-id']) process.env._X_AMZN_TRACE_ID = res.headers['lambda-runtime-trace-id'];
  else delete process.env._X_AMZN_TRACE_ID;
  let clientContext;
  if (res.headers['lambda-runtime-client-context']) {
    try { clientContext = JSON.parse(res.headers['lambda-runtime-client-context']); } catch (e) { /* ignore */ }
  }
  const context = {
    callbackWaitsForEmptyEventLoop: true,
    functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
    invokedFunctionArn: res.headers['lambda-runtime-invoked-function-arn'],
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    awsRequestId: id,
    logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
    identity: undefined,
    clientContext,
    getRemainingTimeInMillis: () => Math.max(deadline - Date.now(), 0),
  };
  let event;
  try {
    event = body.length ? JSON.parse(body.toString('utf8')) : null;
  } catch (e) {
    await postError(id, { errorType: 'Runtime.UnmarshalError', errorMessage: `Unable to parse input as JSON: ${e.message}`, trace: [] });
    return;
  }
  if (fn[STREAMING] === STREAM_RESPONSE) {
    await invokeStreaming(fn, id, event, context);
    return;
  }
  const outcome = await runHandler(fn, event, context);
  if (!outcome.ok) {
    await postError(id, errorJSON(outcome.error));
    return;
  }
  let payload;
  try {
    payload = JSON.stringify(outcome.value === undefined ? null : outcome.value);
  } catch (e) {
    await postError(id, { errorType: 'Runtime.MarshalError', errorMessage: `Unable to stringify response body: ${e.message}`, trace: [] });
    return;
  }
  await request('POST', `${BASE}/invocation/${id}/response`, payload, { 'Content-Type': 'application/json' });
}

// Response streaming (awslambda.streamifyResponse): AWS's runtime gives
// such a handler a writable stream instead of taking its return value.
// kiri buffers what the handler writes and posts it as the response once
// the stream has ended, as a buffered Invoke of a streaming function sees it.
const STREAMING = Symbol.for('aws.lambda.runtime.handler.streaming');
const STREAM_RESPONSE = 'response';
// The delimiter AWS's HttpResponseStream puts after its JSON prelude.
const PRELUDE_END = Buffer.alloc(8);

global.awslambda = {
  streamifyResponse(handler) {
    handler[STREAMING] = STREAM_RESPONSE;
    return handler;
  },
  HttpResponseStream: {
    from(stream, prelude) {
      stream.setContentType('application/vnd.awslambda.http-integration-response');
      stream.write(JSON.stringify(prelude || {}));
      stream.write(PRELUDE_END);
      return stream;
    },
  },
};

function responseStream() {
  const chunks = [];
  const stream = new Writable({
    write(chunk, encoding, done) {
      chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk, encoding));
      done();
    },
  });
  stream.contentType = 'application/octet-stream';
  stream.setContentType = (type) => { stream.contentType = type; };
  stream.body = () => Buffer.concat(chunks);
  return stream;
}

async function invokeStreaming(fn, id, event, context) {
  const stream = responseStream();
  const finished = new Promise((resolve) => stream.on('finish', resolve));
  try {
    await fn(event, stream, context);
  } catch (e) {
    await postError(id, errorJSON(e));
    return;
  }
  if (!stream.writableEnded) {
    // What AWS's runtime reports for a handler that never ends its stream.
    await postError(id, { errorType: 'Runtime.ResponseStreamNotFinished', errorMessage: 'Response stream is not finished.', trace: [] });
    return;
  }
  await finished;
  await request('POST', `${BASE}/invocation/${id}/response`, stream.body(), { 'Content-Type': stream.contentType });
}

async function postError(id, err) {
  console.error('Invoke Error \t' + JSON.stringify(err));
  await request('POST', `${BASE}/invocation/${id}/error`, JSON.stringify(err), {
    'Content-Type': 'application/json',
    'Lambda-Runtime-Function-Error-Type': err.errorType,
  });
}

async function main() {
  patchConsole();
  let fn;
  try {
    fn = await loadHandler(process.env._HANDLER);
  } catch (e) {
    const err = errorJSON(e);
    console.error(`${err.errorType}: ${err.errorMessage}`);
    await request('POST', `${BASE}/init/error`, JSON.stringify(err), {
      'Content-Type': 'application/json',
      'Lambda-Runtime-Function-Error-Type': err.errorType,
    });
    process.exit(1);
  }
  for (;;) {
    const { res, body } = await request('GET', `${BASE}/invocation/next`);
    if (res.statusCode !== 200) {
      await new Promise((r) => setTimeout(r, 10));
      continue;
    }
    await invoke(fn, res, body);
  }
}

// UnhandledPromiseRejection carries a rejection nobody handled. Its message
// is the reason as a string ("Error: yikes"), as in AWS's runtime.
class UnhandledPromiseRejection extends Error {
  constructor(reason, promise) {
    super(reason);
    this.name = 'Runtime.UnhandledPromiseRejection';
    this.reason = reason;
    this.promise = promise;
  }
}

// formatted is how AWS's runtime logs an error: its name, message and code
// plus its own enumerable properties, stacks split into lines, recursively
// (so a rejection's reason shows as an error too).
function formatted(err) {
  const withProps = (_k, v) => {
    if (!(v instanceof Error)) return v;
    const out = Object.assign({ errorType: v.name, errorMessage: v.message, code: v.code }, v);
    if (typeof v.stack === 'string') out.stack = v.stack.split('\n');
    return out;
  };
  try { return JSON.stringify(err, withProps); } catch (e) { return JSON.stringify(errorJSON(err)); }
}

// An error thrown outside a handler's promise chain, or a promise rejection
// nobody handles, fails the current invocation (or init) with that error and
// then ends the environment, with AWS's exit codes (129 and 128).
async function fatal(label, err, code) {
  console.error(`${label} \t${formatted(err)}`);
  const body = JSON.stringify(errorJSON(err));
  const headers = { 'Content-Type': 'application/json', 'Lambda-Runtime-Function-Error-Type': err.name || 'Error' };
  const where = lastRequestId ? `${BASE}/invocation/${lastRequestId}/error` : `${BASE}/init/error`;
  try { await request('POST', where, body, headers); } catch (e) { /* the process ends either way */ }
  process.exit(code);
}

process.on('uncaughtException', (e) => { fatal('Uncaught Exception', e, 129); });
process.on('unhandledRejection', (reason, promise) => {
  fatal('Unhandled Promise Rejection', new UnhandledPromiseRejection(reason, promise), 128);
});

main().catch((e) => {
  process.stderr.write(`kiri bootstrap: ${e && e.stack ? e.stack : e}\n`);
  process.exit(1);
});
