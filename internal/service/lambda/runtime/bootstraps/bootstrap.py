# kiri's Python bootstrap: a Lambda Runtime API client using only the
# standard library. It mirrors the behaviour of AWS's own Python runtime
# (awslambdaric) where functions can observe it: handler resolution and its
# error types, the context object, the error JSON, the traceback in the log
# and the logging configuration. It must run on any Python 3 the host has,
# whatever python* runtime the function declares.

import base64
import http.client
import importlib
import json
import logging
import os
import sys
import time
import traceback

RUNTIME_API = os.environ["AWS_LAMBDA_RUNTIME_API"]
TASK_ROOT = os.environ.get("LAMBDA_TASK_ROOT", os.getcwd())
BASE = "/2018-06-01/runtime"

_request_id = ""


def _log(message):
    # One log event per write: embedded newlines become carriage returns,
    # exactly as AWS's runtime does, and kiri turns them back into newlines
    # inside a single CloudWatch event.
    sys.stdout.write(message.replace("\n", "\r") + "\n")
    sys.stdout.flush()


class _Client(object):
    def __init__(self, address):
        host, _, port = address.rpartition(":")
        self._host, self._port = host, int(port)
        self._conn = None

    def _request(self, method, path, body=None, headers=None):
        # The connection is kept alive across invocations; a broken one is
        # reopened once.
        for attempt in (0, 1):
            if self._conn is None:
                self._conn = http.client.HTTPConnection(self._host, self._port)
            try:
                self._conn.request(method, path, body=body, headers=headers or {})
                resp = self._conn.getresponse()
                data = resp.read()
                return resp, data
            except (http.client.HTTPException, OSError):
                self._conn.close()
                self._conn = None
                if attempt:
                    raise

    def next(self):
        return self._request("GET", BASE + "/invocation/next")

    def response(self, request_id, body):
        self._request("POST", BASE + "/invocation/" + request_id + "/response", body,
                      {"Content-Type": "application/json"})

    def error(self, request_id, error):
        self._request("POST", BASE + "/invocation/" + request_id + "/error",
                      json.dumps(error).encode("utf-8"),
                      {"Content-Type": "application/json",
                       "Lambda-Runtime-Function-Error-Type": error.get("errorType", "")})

    def init_error(self, error):
        self._request("POST", BASE + "/init/error", json.dumps(error).encode("utf-8"),
                      {"Content-Type": "application/json",
                       "Lambda-Runtime-Function-Error-Type": error.get("errorType", "")})


class _Fault(Exception):
    def __init__(self, error_type, message, trace=None):
        Exception.__init__(self, message)
        self.error_type = error_type
        self.message = message
        self.trace = trace


def _user_trace(tb):
    # Drop the runtime's own frames at the top, as AWS does, so the trace
    # starts in the function's code.
    frames = traceback.extract_tb(tb)
    for i, frame in enumerate(frames):
        if not frame.filename.endswith("bootstrap.py"):
            return traceback.format_list(frames[i:])
    return []


def _make_error(message, error_type, trace, request_id=""):
    return {"errorMessage": message, "errorType": error_type,
            "requestId": request_id, "stackTrace": trace if trace is not None else []}


def _log_error(err):
    desc = "[ERROR]"
    if err.get("errorType"):
        desc += " " + err["errorType"]
    if err.get("errorMessage"):
        if err.get("errorType"):
            desc += ":"
        desc += " " + err["errorMessage"]
    lines = [desc]
    trace = err.get("stackTrace")
    if trace is not None:
        lines.append("Traceback (most recent call last):")
        for element in trace:
            if element == "":
                lines.append("")
            else:
                lines.extend(element.splitlines())
    _log("\n".join(lines))


def _load_handler(handler):
    try:
        modname, fname = handler.rsplit(".", 1)
    except ValueError as e:
        raise _Fault("Runtime.MalformedHandlerName", "Bad handler '%s': %s" % (handler, e))
    if not modname or not fname:
        raise _Fault("Runtime.MalformedHandlerName",
                     "Bad handler '%s': not enough values to unpack (expected 2, got 1)" % handler)
    try:
        if modname.split(".")[0] in sys.builtin_module_names:
            raise _Fault("Runtime.BuiltInModuleConflict",
                         "Cannot use built-in module %s as a handler module" % modname)
        module = importlib.import_module(modname.replace("/", "."))
    except _Fault:
        raise
    except ImportError as e:
        raise _Fault("Runtime.ImportModuleError", "Unable to import module '%s': %s" % (modname, e))
    except SyntaxError as e:
        trace = ['  File "%s" Line %s\n    %s' % (e.filename, e.lineno, e.text)]
        raise _Fault("Runtime.UserCodeSyntaxError",
                     "Syntax error in module '%s': %s" % (modname, e), trace)
    except Exception as e:
        raise _Fault(type(e).__name__, str(e), _user_trace(sys.exc_info()[2]))
    fn = getattr(module, fname, None)
    if fn is None:
        raise _Fault("Runtime.HandlerNotFound", "Handler '%s' missing on module '%s'" % (fname, modname))
    return fn


class _Obj(object):
    def __init__(self, **kw):
        self.__dict__.update(kw)


def _client_context(header):
    if not header:
        return None
    try:
        data = json.loads(header)
    except ValueError:
        return None
    client = data.get("client")
    return _Obj(
        client=_Obj(installation_id=client.get("installation_id"),
                    app_title=client.get("app_title"),
                    app_version_name=client.get("app_version_name"),
                    app_version_code=client.get("app_version_code"),
                    app_package_name=client.get("app_package_name")) if isinstance(client, dict) else None,
        custom=data.get("custom"),
        env=data.get("env"))


class LambdaContext(object):
    def __init__(self, request_id, deadline_ms, arn, client_context):
        self.aws_request_id = request_id
        self.invoked_function_arn = arn
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION")
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME")
        self.identity = None
        self.client_context = client_context
        self._deadline_ms = deadline_ms

    def get_remaining_time_in_millis(self):
        return max(self._deadline_ms - int(time.time() * 1000), 0)

    def log(self, msg):
        sys.stdout.write(str(msg))
        sys.stdout.flush()


class LambdaLoggerHandler(logging.Handler):
    def emit(self, record):
        msg = self.format(record)
        _log(msg.rstrip("\n"))


class LambdaLoggerFilter(logging.Filter):
    def filter(self, record):
        record.aws_request_id = _request_id
        return True


def _setup_logging():
    logging.Formatter.converter = time.gmtime
    handler = LambdaLoggerHandler()
    handler.setFormatter(logging.Formatter(
        "[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s\n",
        "%Y-%m-%dT%H:%M:%S"))
    handler.addFilter(LambdaLoggerFilter())
    root = logging.getLogger()
    root.addHandler(handler)
    # The root logger stays at WARNING unless the function configured a
    # level (advanced logging controls), as on AWS.
    level = os.environ.get("AWS_LAMBDA_LOG_LEVEL")
    if level and hasattr(logging, level.upper()):
        root.setLevel(getattr(logging, level.upper()))


def _invoke(client, fn, resp, body):
    global _request_id
    request_id = resp.getheader("Lambda-Runtime-Aws-Request-Id", "")
    _request_id = request_id
    try:
        deadline = int(resp.getheader("Lambda-Runtime-Deadline-Ms", "0"))
    except ValueError:
        deadline = 0
    trace_id = resp.getheader("Lambda-Runtime-Trace-Id")
    if trace_id:
        os.environ["_X_AMZN_TRACE_ID"] = trace_id
    else:
        os.environ.pop("_X_AMZN_TRACE_ID", None)
    ctx = LambdaContext(request_id, deadline, resp.getheader("Lambda-Runtime-Invoked-Function-Arn", ""),
                        _client_context(resp.getheader("Lambda-Runtime-Client-Context")))
    try:
        event = json.loads(body.decode("utf-8")) if body else None
    except ValueError as e:
        err = _make_error("Unable to unmarshal input: %s" % e, "Runtime.UnmarshalError", [], request_id)
        _log_error(err)
        client.error(request_id, err)
        return
    try:
        result = fn(event, ctx)
    except Exception as e:
        err = _make_error(str(e), type(e).__name__, _user_trace(sys.exc_info()[2]), request_id)
        _log_error(err)
        sys.stdout.flush()
        sys.stderr.flush()
        client.error(request_id, err)
        return
    try:
        payload = json.dumps(result).encode("utf-8")
    except Exception as e:
        err = _make_error("Unable to marshal response: %s" % e, "Runtime.MarshalError", [], request_id)
        _log_error(err)
        client.error(request_id, err)
        return
    sys.stdout.flush()
    sys.stderr.flush()
    client.response(request_id, payload)


def main():
    # The task root comes first on sys.path (packaged libraries at the ZIP
    # root are importable); the runtime directory stays importable after it.
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != here]
    sys.path.insert(0, TASK_ROOT)
    sys.path.append(here)
    _setup_logging()
    client = _Client(RUNTIME_API)
    try:
        fn = _load_handler(os.environ.get("_HANDLER", ""))
    except _Fault as f:
        err = _make_error(f.message, f.error_type, f.trace)
        _log_error(err)
        client.init_error(err)
        sys.exit(1)
    while True:
        resp, body = client.next()
        if resp.status != 200:
            time.sleep(0.01)
            continue
        _invoke(client, fn, resp, body)


if __name__ == "__main__":
    main()
