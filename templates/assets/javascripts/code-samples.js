// emqx-apidocs: the Try-it panel's Python and JavaScript code for the request the
// reader describes.
//
// The same two writers as generator/samples.py (write_python, write_javascript), line
// for line, from the same description of a request (samples.wire):
//   {method, path, query: [[name, text]], headers: [[name, text]], auth, accept,
//    media_type, body: null | {json: value} | {text: string} | {form: [[name, value, file?]]}}
// tests/test_code_samples.py runs both on every operation of CE 5.8.1 and of the
// sample spec and wants the same text. (samples.py's Env, a query value read from the
// reader's environment, only ever comes from the next-page request: never here.) Nothing here is parsed as HTML: the panel puts
// the result into a <code> with textContent.
(function (root) {
  "use strict";

  var COMPACT = 60; // the longest literal written on one line
  var JSON_MEDIA = "application/json";
  // what a reader would not see: controls, format characters, separators, lone surrogates
  var UNSEEN = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]|\p{Cs}/gu;

  function hex4(n) { return ("000" + n.toString(16)).slice(-4); }

  // A double-quoted literal: JSON's escapes (JSON.stringify is samples.py's json.dumps),
  // then \u escapes for what a reader would not see.
  function stringLiteral(text, python) {
    return JSON.stringify(String(text)).replace(UNSEEN, function (ch) {
      var point = ch.codePointAt(0);
      if (point <= 0xffff) return "\\u" + hex4(point);
      if (python) return "\\U" + ("0000000" + point.toString(16)).slice(-8);
      return "\\u" + hex4(ch.charCodeAt(0)) + "\\u" + hex4(ch.charCodeAt(1));
    });
  }

  function isObject(value) { return value !== null && typeof value === "object" && !Array.isArray(value); }

  function oneLine(value, python) {
    if (isObject(value)) {
      return "{" + Object.keys(value).map(function (k) {
        return stringLiteral(k, python) + ": " + oneLine(value[k], python);
      }).join(", ") + "}";
    }
    if (Array.isArray(value)) return "[" + value.map(function (v) { return oneLine(v, python); }).join(", ") + "]";
    return valueLiteral(value, python, 0);
  }

  function valueLiteral(value, python, depth) {
    var unit = python ? "    " : "  ";
    if (isObject(value) || Array.isArray(value)) {
      var short = oneLine(value, python);
      if (short.length <= COMPACT) return short;
      var pad = unit.repeat(depth + 1);
      var items = isObject(value)
        ? Object.keys(value).map(function (k) {
            return pad + stringLiteral(k, python) + ": " + valueLiteral(value[k], python, depth + 1);
          })
        : value.map(function (v) { return pad + valueLiteral(v, python, depth + 1); });
      var ends = isObject(value) ? "{}" : "[]";
      return ends[0] + "\n" + items.join(",\n") + ",\n" + unit.repeat(depth) + ends[1];
    }
    if (value === null || value === undefined) return python ? "None" : "null";
    if (typeof value === "boolean") return python ? (value ? "True" : "False") : String(value);
    if (typeof value === "number") return isFinite(value) ? String(value) : (python ? "None" : "null");
    return stringLiteral(value, python);
  }

  function pairs(list, python, depth) {
    var grouped = {};
    var order = [];
    list.forEach(function (pair) {
      if (!Object.prototype.hasOwnProperty.call(grouped, pair[0])) { grouped[pair[0]] = []; order.push(pair[0]); }
      grouped[pair[0]].push(pair[1]);
    });
    var object = {};
    order.forEach(function (name) { object[name] = grouped[name].length === 1 ? grouped[name][0] : grouped[name]; });
    return valueLiteral(object, python, depth);
  }

  function py(text) { return stringLiteral(text, true); }
  function js(text) { return stringLiteral(text, false); }
  function bodyOf(request) { return request.body || {}; }
  function has(object, name) { return Object.prototype.hasOwnProperty.call(object, name); }

  // ------------------------------------------------------------------ Python
  function python(request, node, env) {
    var jsonAnswer = request.accept === JSON_MEDIA;
    var lines = pythonHead(node, env, jsonAnswer ? "json" : "sys").concat(pythonRequest(request, env));
    lines.push("response.raise_for_status()");
    if (jsonAnswer) {
      lines.push("if response.content:", "    print(json.dumps(response.json(), indent=2, ensure_ascii=False))");
    } else {
      lines.push("sys.stdout.buffer.write(response.content)");
    }
    return lines.join("\n");
  }

  function pythonHead(node, env, module) {
    return ["import " + module, "import os"].sort().concat(["", "import httpx", "",
      "base = os.environ.get(" + py(env.url) + ") or " + py(node.replace(/\/+$/, ""))]);
  }

  function pythonRequest(request, env) {
    var body = bodyOf(request);
    var headers = [[py("Accept"), py(request.accept)]].concat(request.headers.map(function (h) { return [py(h[0]), py(h[1])]; }));
    if (request.body && !has(body, "form") && (request.media_type !== JSON_MEDIA || !has(body, "json"))) {
      headers.push([py("Content-Type"), py(request.media_type)]);
    }
    if (request.auth === "bearer") headers.push([py("Authorization"), '"Bearer " + os.environ[' + py(env.token) + "]"]);
    var args = [py(request.method) + ",", "base + " + py(request.path) + ","];
    if (request.query.length) args.push("params=" + pairs(request.query, true, 1) + ",");
    args.push("headers={");
    headers.forEach(function (h) { args.push("    " + h[0] + ": " + h[1] + ","); });
    args.push("},");
    if (request.auth === "basic") args.push("auth=(os.environ[" + py(env.key) + "], os.environ[" + py(env.secret) + "]),");
    if (has(body, "json")) {
      args.push("json=" + valueLiteral(body.json, true, 1) + ",");
    } else if (has(body, "text")) {
      args.push("content=" + py(body.text) + ",");
    } else if (has(body, "form")) {
      var fields = body.form.filter(function (f) { return !f[2]; }).map(function (f) { return [f[0], f[1]]; });
      var files = body.form.filter(function (f) { return f[2]; });
      if (fields.length) args.push("data=" + pairs(fields, true, 1) + ",");
      if (files.length) {
        args.push("files={");
        files.forEach(function (f) { args.push("    " + py(f[0]) + ": open(" + py(f[1]) + ', "rb"),'); });
        args.push("},");
      }
    }
    return ["response = httpx.request("].concat(args.map(function (a) { return "    " + a; }), [")"]);
  }

  // -------------------------------------------------------------- JavaScript
  var NEED_HELPER = [
    "// a credential from the environment: stop when it is not set",
    "function need(name) {",
    "  if (!process.env[name]) {",
    "    console.error(`${name} is not set`);",
    "    process.exit(1);",
    "  }",
    "  return process.env[name];",
    "}",
  ];
  var BASIC_HELPER = [
    "// Basic credentials: UTF-8 bytes, then base64 (btoa alone refuses non-ASCII)",
    "const basic = (key, secret) =>",
    "  btoa(String.fromCharCode(...new TextEncoder().encode(`${key}:${secret}`)));",
  ];

  function javascript(request, node, env) {
    var body = bodyOf(request);
    var lines = has(body, "form") ? ['import { readFile } from "node:fs/promises";', ""] : [];
    lines = lines.concat(javascriptHead(request, node, env));
    if (has(body, "form")) {
      lines.push("const form = new FormData();");
      body.form.forEach(function (f) {
        lines.push(f[2] ? "form.append(" + js(f[0]) + ", new Blob([await readFile(" + js(f[1]) + ")]), " + js(f[1]) + ");"
                        : "form.append(" + js(f[0]) + ", " + js(f[1]) + ");");
      });
    }
    lines = lines.concat(javascriptFetch(request, env));
    if (request.accept === JSON_MEDIA) {
      lines.push("const text = await response.text();", "if (text) console.log(JSON.stringify(JSON.parse(text), null, 2));");
    } else {
      lines.push("process.stdout.write(new Uint8Array(await response.arrayBuffer()));");
    }
    return lines.join("\n");
  }

  function javascriptHead(request, node, env) {
    var lines = request.auth === "basic" || request.auth === "bearer" ? NEED_HELPER.concat([""]) : [];
    if (request.auth === "basic") lines = lines.concat(BASIC_HELPER, [""]);
    lines.push("const base = process.env." + env.url + " || " + js(node.replace(/\/+$/, "")) + ";",
               "const url = new URL(base + " + js(request.path) + ");");
    if (request.query.length) {
      var names = request.query.map(function (pair) { return pair[0]; });
      var unique = names.every(function (name, i) { return names.indexOf(name) === i; });
      lines.push("url.search = new URLSearchParams(" +
                 (unique ? pairs(request.query, false, 0) : valueLiteral(request.query, false, 0)) + ");");
    }
    return lines;
  }

  function javascriptFetch(request, env) {
    var body = bodyOf(request);
    var headers = [[js("Accept"), js(request.accept)]].concat(request.headers.map(function (h) { return [js(h[0]), js(h[1])]; }));
    if (request.body && !has(body, "form")) headers.push([js("Content-Type"), js(request.media_type)]);
    if (request.auth === "basic") {
      headers.push([js("Authorization"), '"Basic " + basic(need(' + js(env.key) + "), need(" + js(env.secret) + "))"]);
    } else if (request.auth === "bearer") {
      headers.push([js("Authorization"), '"Bearer " + need(' + js(env.token) + ")"]);
    }
    var options = ["  method: " + js(request.method) + ",", "  headers: {"];
    headers.forEach(function (h) { options.push("    " + h[0] + ": " + h[1] + ","); });
    options.push("  },");
    if (has(body, "json")) options.push("  body: JSON.stringify(" + valueLiteral(body.json, false, 1) + "),");
    else if (has(body, "text")) options.push("  body: " + js(body.text) + ",");
    else if (has(body, "form")) options.push("  body: form,");
    return ["const response = await fetch(url, {"].concat(options, [
      "});",
      "if (!response.ok) {",
      "  throw new Error(`${response.status} ${response.statusText}: ${await response.text()}`);",
      "}",
    ]);
  }

  root.EAD_SAMPLES = { python: python, javascript: javascript };
})(typeof window !== "undefined" ? window : globalThis);
