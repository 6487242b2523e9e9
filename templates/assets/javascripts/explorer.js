// emqx-apidocs: the "Try it" panel and the "Copy as Markdown" button of every operation.
//
// Reads the operation's description from the JSON in its <section class="ead-try">
// and the site's shared data from window.EAD_EXPLORER (explorer-data.js). Builds the
// form with DOM calls only: nothing from the spec is ever parsed as HTML.
// Credentials stay in this page's memory, or in sessionStorage when the reader asks
// to keep them for the tab; never in localStorage, cookies, the URL or the console.
(function () {
  "use strict";

  var DATA = window.EAD_EXPLORER || {};
  var WORDS = DATA.words || {};
  // The panel's words, in the site's language (the labels' `try`), {name} filled in.
  function say(key, values) {
    var text = WORDS[key] || key;
    Object.keys(values || {}).forEach(function (name) { text = text.split("{" + name + "}").join(String(values[name])); });
    return text;
  }
  var STORE_KEY = "emqx-apidocs:connection";
  var SERVE_CONFIG = "/__emqx_apidocs__/config.json";
  var SITE_ROOT = (function () {
    var script = document.currentScript;
    return script ? new URL("../../", script.src).href : new URL("./", location.href).href;
  })();

  // ---------------------------------------------------------------- connection
  var conn = { node: DATA.default_node, mode: "apikey", key: "", secret: "",
               token: "", keep: false, served: false };
  var listeners = [];

  function readStore() {
    try {
      var saved = JSON.parse(sessionStorage.getItem(STORE_KEY) || "null");
      if (saved && typeof saved === "object") {
        ["node", "mode", "key", "secret", "token"].forEach(function (name) {
          if (typeof saved[name] === "string") conn[name] = saved[name];
        });
        conn.keep = saved.keep === true;
      }
    } catch (e) { /* storage unavailable or corrupt: start afresh */ }
  }

  function writeStore() {
    try {
      var kept = { node: conn.node, mode: conn.mode };
      if (conn.keep) {
        kept.keep = true;
        kept.key = conn.key;
        kept.secret = conn.secret;
        kept.token = conn.token;
      }
      sessionStorage.setItem(STORE_KEY, JSON.stringify(kept));
    } catch (e) { /* private mode: memory only */ }
  }

  function update(changes, source) {
    Object.keys(changes).forEach(function (name) { conn[name] = changes[name]; });
    writeStore();
    listeners.forEach(function (listener) { listener(source); });
  }

  function forget() {
    update({ key: "", secret: "", token: "", keep: false }, null);
    try { sessionStorage.removeItem(STORE_KEY); } catch (e) { /* nothing kept */ }
    writeStore();
  }

  function detectServe(done) {
    if (!/^https?:$/.test(location.protocol)) return done();
    fetch(new URL(SERVE_CONFIG, location.href).href, { credentials: "omit", cache: "no-store" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (config) {
        if (config && typeof config.api_base === "string") {
          conn.served = true;
          var saved = null;
          try { saved = JSON.parse(sessionStorage.getItem(STORE_KEY) || "null"); } catch (e) { saved = null; }
          if (!saved || !saved.node) conn.node = location.origin;
        }
        done();
      })
      .catch(function () { done(); });
  }

  // ------------------------------------------------------------------- helpers
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      var value = attrs[name];
      if (value === null || value === undefined || value === false) return;
      if (name === "text") node.textContent = value;
      else if (name === "class") node.className = value;
      else node.setAttribute(name, value === true ? "" : String(value));
    });
    (children || []).forEach(function (child) {
      if (child) node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }

  var uid = 0;
  function field(labelText, control, hint) {
    uid += 1;
    control.id = control.id || "ead-f" + uid;
    return el("div", { class: "ead-try-field" }, [
      el("label", { for: control.id, text: labelText }),
      control,
      hint ? el("span", { class: "ead-try-hint", text: hint }) : null,
    ]);
  }

  // where a parameter goes (path, query...), in the site's language
  function place(where) { return (DATA.locations && DATA.locations[where]) || where; }

  function shellSingle(text) { return "'" + String(text).replace(/'/g, "'\\''") + "'"; }
  function shellDouble(text) { return String(text).replace(/["$`\\]/g, "\\$&"); }
  function scalar(value) {
    if (value === null || value === undefined) return "";
    if (typeof value === "object") return JSON.stringify(value);
    return String(value);
  }

  // ------------------------------------------------------------------ requests
  // The request the form describes: {method, path, query, headers, body, problems}.
  function describe(op, controls) {
    var problems = [];
    var path = op.path;
    var query = [];
    var headers = [];
    op.params.forEach(function (param, i) {
      var raw = controls.params[i].value.trim();
      if (!raw) {
        if (param.required) problems.push(say("param_required", { name: param.name, "in": place(param["in"]) }));
        return;
      }
      if (param["in"] === "path") {
        path = path.split("{" + param.name + "}").join(encodeURIComponent(raw));
      } else if (param["in"] === "query") {
        var values = param.type === "array" ? raw.split(",").map(function (v) { return v.trim(); }).filter(Boolean) : [raw];
        values.forEach(function (v) { query.push([param.name, v]); });
      } else {
        headers.push([param.name, raw]);
      }
    });
    var body = null;
    var form = null;
    if (op.body && op.body.form) {
      form = controls.form.map(function (f) {
        var value = f.file ? (f.input.files[0] || null) : f.input.value;
        if (!value && (op.body.fields || []).indexOf(f.name) !== -1) problems.push(say("field_required", { name: f.name }));
        return [f.name, value, f.file];
      }).filter(function (f) { return f[1]; });
    } else if (op.body) {
      var text = controls.body.value;
      if (!text.trim()) {
        if (op.body.required) problems.push(say("body_required"));
      } else if (/json/.test(op.body.media_type)) {
        try {
          var parsed = JSON.parse(text);
          var missing = (op.body.fields || []).filter(function (name) {
            return !parsed || typeof parsed !== "object" || Array.isArray(parsed) || !(name in parsed);
          });
          if (missing.length && parsed && typeof parsed === "object" && !Array.isArray(parsed)) {
            problems.push(say("body_lacks", { fields: missing.join(", ") }));
          }
          body = text;
        } catch (e) {
          problems.push(say("body_not_json", { error: e.message }));
        }
      } else {
        body = text;
      }
    }
    var qs = query.map(function (pair) {
      return encodeURIComponent(pair[0]) + "=" + encodeURIComponent(pair[1]);
    }).join("&");
    return { method: op.method, path: path + (qs ? "?" + qs : ""), route: path, query: query, headers: headers,
             body: body, form: form, mediaType: op.body ? op.body.media_type : null, problems: problems };
  }

  function credentialFor(op) {
    if (op.auth === "public") return null;
    if (conn.mode === "bearer" && conn.token) return { kind: "bearer", header: "Bearer " + conn.token };
    if (conn.mode === "apikey" && op.auth !== "bearer" && (conn.key || conn.secret)) {
      return { kind: "basic", header: "Basic " + btoa(unescape(encodeURIComponent(conn.key + ":" + conn.secret))) };
    }
    return null;
  }

  // The fixed words come from the generator (curl.py: panel_pieces), so this is the
  // command build_curl writes on the page, with the values the reader typed.
  function curlFor(op, req) {
    var words = DATA.curl;
    var node = conn.node.replace(/\/+$/, "");
    var lines = [words.start + " " + req.method + ' "${' + words.url_var + ":-" + shellDouble(node) + "}" + shellDouble(req.path) + '"'];
    var cred = credentialFor(op);
    if (cred) lines = lines.concat(words.credentials[cred.kind] || []);
    lines.push(!op.accept || op.accept === "application/json" ? words.accept : "-H " + shellSingle("Accept: " + op.accept));
    req.headers.forEach(function (h) { lines.push("-H " + shellSingle(h[0] + ": " + h[1])); });
    (req.form || []).forEach(function (f) {
      lines.push("-F " + shellSingle(f[0] + "=" + (f[2] ? "@./" + f[1].name : f[1])));
    });
    if (req.body !== null) {
      lines.push('-H "Content-Type: ' + req.mediaType + '"');
      lines.push((/json/.test(req.mediaType) ? "-d " : "--data-binary ") + shellSingle(req.body));
    }
    return lines.join(words.joiner);
  }

  // The request as code-samples.js (and samples.py, for the page) describes it: the
  // same words for the Python and JavaScript the page shows, with the reader's values.
  function wireOf(op, req) {
    var cred = credentialFor(op);
    var body = null;
    if (req.form) {
      body = { form: req.form.map(function (f) { return f[2] ? [f[0], f[1].name, true] : [f[0], f[1], false]; }) };
    } else if (req.body !== null) {
      body = { text: req.body };
      if (/json/.test(req.mediaType)) {
        try { body = { json: JSON.parse(req.body) }; } catch (e) { /* sent as typed */ }
      }
    }
    return { method: req.method, path: req.route, query: req.query, headers: req.headers,
             auth: cred ? cred.kind : "public", accept: op.accept || "application/json",
             media_type: req.mediaType, body: body };
  }

  var LANGUAGES = ["bash", "python", "javascript"]; // the order of the page's tabs

  function codeFor(lang, op, req) {
    if (lang === "bash") return curlFor(op, req);
    var samples = window.EAD_SAMPLES;
    if (!samples) return "";
    return samples[lang](wireOf(op, req), conn.node, DATA.env || {});
  }

  // The tab set of the page's samples (macros.html.j2: code_samples), built with DOM calls.
  function codeBlock(codes) {
    uid += 1;
    var id = "ead-try" + uid;
    var list = el("div", { class: "ead-tabs", role: "tablist", "aria-label": DATA.code_tabs || "", hidden: true });
    var block = el("div", { class: "ead-code" }, [list]);
    LANGUAGES.forEach(function (lang, i) {
      var name = (DATA.code_langs || {})[lang] || lang;
      list.appendChild(el("button", { type: "button", role: "tab", id: id + "--" + lang + "-tab", "aria-controls": id + "--" + lang,
                                      "aria-selected": i === 0 ? "true" : "false", "data-ead-lang": lang, text: name }));
      codes[lang] = el("code", { class: "language-" + lang, tabindex: "0" });
      block.appendChild(el("div", { class: "ead-sample", id: id + "--" + lang, "data-ead-lang": lang }, [
        el("p", { class: "ead-cap" }, [el("span", { class: "ead-cap-lang", text: name + " · " }), (DATA.code_needs || {})[lang] || ""]),
        el("pre", {}, [codes[lang]]),
      ]));
    });
    return block;
  }

  // ------------------------------------------------------------------ response
  function statusMeaning(op, status) {
    var code = String(status);
    return (DATA.status && DATA.status[code]) || (op.statuses && op.statuses[code]) || "";
  }

  function explain(op, status, parsed, out) {
    if (parsed && typeof parsed === "object" && typeof parsed.code === "string") {
      var code = parsed.code;
      var proxy = DATA.proxy_codes && DATA.proxy_codes[code];
      var known = DATA.errors && Object.prototype.hasOwnProperty.call(DATA.errors, code) ? DATA.errors[code] : null;
      var box = el("div", { class: "ead-try-explain", role: "note" });
      box.appendChild(el("strong", { text: code }));
      if (proxy) {
        box.appendChild(document.createTextNode(": " + proxy));
      } else if (known) {
        box.appendChild(document.createTextNode(": " + (known.text || say("code_generic")) + " "));
        box.appendChild(el("a", { href: SITE_ROOT + DATA.errors_page + "#" + encodeURIComponent(known.anchor),
                                  text: say("code_about") }));
      } else {
        box.appendChild(document.createTextNode(say("code_unknown")));
      }
      out.appendChild(box);
    } else if (status === 401) {
      out.appendChild(el("div", { class: "ead-try-explain", role: "note",
        text: say(op.auth === "bearer" ? "bearer_only_401" : "credentials_401") }));
    }
  }

  function nextPage(op, parsed, controls, send) {
    var p = op.pagination;
    if (!p || !parsed || typeof parsed !== "object" || !parsed.meta) return null;
    var meta = parsed.meta;
    var index = op.params.findIndex(function (x) { return x.name === p.param; });
    if (index < 0) return null;
    var value = null;
    if (p.kind === "page" && meta.hasnext === true) value = String((Number(meta.page) || 1) + 1);
    if (p.kind !== "page") {
      var next = meta[p.param];
      if (next !== undefined && next !== null && next !== "" && next !== p.end) value = String(next);
    }
    if (value === null) return null;
    var button = el("button", { type: "button", class: "md-button ead-try-next",
                                text: say("next_page", { param: p.param, value: value }) });
    button.addEventListener("click", function () {
      controls.params[index].value = value;
      send();
    });
    return button;
  }

  // --------------------------------------------------------------------- panel
  function mount(section) {
    if (section.getAttribute("data-mounted")) return;
    section.setAttribute("data-mounted", "1");
    var source = section.querySelector('script[type="application/json"]');
    var op;
    try { op = JSON.parse(source.textContent); } catch (e) { return; }

    var controls = { params: [], body: null };
    var form = el("form", { class: "ead-try-form", novalidate: true });

    // connection, shared by every panel
    var node = el("input", { type: "url", value: conn.node, spellcheck: "false", autocomplete: "off" });
    var mode = el("select", {}, [
      el("option", { value: "apikey", text: say("mode_apikey") }),
      el("option", { value: "bearer", text: say("mode_bearer") }),
      el("option", { value: "none", text: say("mode_none") }),
    ]);
    var key = el("input", { type: "text", autocomplete: "off", spellcheck: "false" });
    var secret = el("input", { type: "password", autocomplete: "off" });
    var token = el("input", { type: "password", autocomplete: "off" });
    var user = el("input", { type: "text", autocomplete: "username", spellcheck: "false" });
    var password = el("input", { type: "password", autocomplete: "current-password" });
    var login = el("button", { type: "button", class: "md-button", text: say("log_in") });
    var keep = el("input", { type: "checkbox" });
    var forgetButton = el("button", { type: "button", class: "md-button", text: say("forget") });
    var loginState = el("span", { class: "ead-try-hint", "aria-live": "polite" });
    var keyFields = el("div", { class: "ead-try-row" }, [field(say("api_key"), key), field(say("secret_key"), secret)]);
    var tokenFields = el("div", { class: "ead-try-row" }, [
      field(say("token"), token),
      field(say("user"), user), field(say("password"), password),
      el("div", { class: "ead-try-field" }, [login, loginState]),
    ]);

    function showConnection() {
      node.value = conn.node;
      mode.value = conn.mode;
      key.value = conn.key;
      secret.value = conn.secret;
      token.value = conn.token;
      keep.checked = conn.keep;
      keyFields.hidden = conn.mode !== "apikey";
      tokenFields.hidden = conn.mode !== "bearer";
    }
    listeners.push(function (source) { if (source !== form) showConnection(); refreshCurl(); });

    node.addEventListener("input", function () { update({ node: node.value.trim() }, form); });
    mode.addEventListener("change", function () { update({ mode: mode.value }, form); showConnection(); });
    key.addEventListener("input", function () { update({ key: key.value }, form); });
    secret.addEventListener("input", function () { update({ secret: secret.value }, form); });
    token.addEventListener("input", function () { update({ token: token.value }, form); });
    keep.addEventListener("change", function () { update({ keep: keep.checked }, form); });
    forgetButton.addEventListener("click", function () { forget(); password.value = ""; loginState.textContent = say("forgotten"); });
    login.addEventListener("click", function () {
      loginState.textContent = say("logging_in");
      var url = conn.node.replace(/\/+$/, "") + DATA.base_path + DATA.login;
      fetch(url, { method: "POST", credentials: "omit", cache: "no-store",
                   headers: { "Content-Type": "application/json", Accept: "application/json" },
                   body: JSON.stringify({ username: user.value, password: password.value }) })
        .then(function (r) { return r.json().then(function (b) { return [r.status, b]; }); })
        .then(function (result) {
          password.value = "";
          if (result[0] === 200 && result[1] && typeof result[1].token === "string") {
            update({ token: result[1].token, mode: "bearer" }, null);
            loginState.textContent = say("logged_in");
          } else {
            loginState.textContent = say("login_failed", { status: result[0] });
          }
        })
        .catch(function () { loginState.textContent = say("login_no_answer", { url: url }); });
    });

    var connection = el("fieldset", { class: "ead-try-conn" }, [
      el("legend", { text: say("connection") }),
      el("div", { class: "ead-try-row" }, [
        field(say("node_url"), node, say("node_hint", { base: DATA.base_path })),
        field(say("credentials"), mode),
      ]),
      keyFields,
      tokenFields,
      el("div", { class: "ead-try-row" }, [
        el("label", { class: "ead-try-check" }, [keep, say("keep")]),
        forgetButton,
      ]),
    ]);
    form.appendChild(connection);

    // parameters
    if (op.params.length) {
      var params = el("fieldset", { class: "ead-try-params" }, [el("legend", { text: say("parameters") })]);
      op.params.forEach(function (param) {
        var control;
        if (param.enum && param.enum.length) {
          control = el("select", {}, (param.required ? [] : [el("option", { value: "", text: say("unset") })]).concat(
            param.enum.map(function (v) { return el("option", { value: scalar(v), text: scalar(v) }); })));
        } else if (param.type === "boolean") {
          control = el("select", {}, [
            param.required ? null : el("option", { value: "", text: say("unset") }),
            el("option", { value: "true", text: "true" }), el("option", { value: "false", text: "false" }),
          ]);
        } else {
          control = el("input", { type: "text", spellcheck: "false", autocomplete: "off" });
          var hint = param.default !== null ? param.default : param.example;
          if (hint !== null && hint !== undefined) control.placeholder = scalar(hint);
        }
        var preset = param.required ? (param.example !== null ? param.example : param.default) : null;
        if (preset !== null && preset !== undefined) {
          control.value = Array.isArray(preset) ? preset.join(",") : scalar(preset);
        }
        if (param.required) control.setAttribute("aria-required", "true");
        controls.params.push(control);
        params.appendChild(field(param.name + (param.required ? " *" : ""), control,
          place(param["in"]) + (param.type ? " · " + param.type : "") + (param.type === "array" ? say("comma_separated") : "")));
      });
      form.appendChild(params);
    }

    if (op.body && op.body.form) {
      controls.form = op.body.form.map(function (f) {
        return { name: f.name, file: f.file, input: el("input", { type: f.file ? "file" : "text", autocomplete: "off" }) };
      });
      form.appendChild(el("fieldset", { class: "ead-try-bodyset" }, [
        el("legend", { text: say("form", { media: op.body.media_type }) + (op.body.required ? " *" : "") }),
      ].concat(controls.form.map(function (f) {
        return field(f.name + ((op.body.fields || []).indexOf(f.name) !== -1 ? " *" : ""), f.input, f.file ? say("file") : "");
      }))));
    } else if (op.body) {
      var bodyLabel = say("body", { media: op.body.media_type });
      controls.body = el("textarea", { rows: Math.min(18, Math.max(4, op.body.example.split("\n").length + 1)),
                                        spellcheck: "false", class: "ead-try-body", "aria-label": bodyLabel });
      controls.body.value = op.body.example;
      form.appendChild(el("fieldset", { class: "ead-try-bodyset" }, [
        el("legend", { text: bodyLabel + (op.body.required ? " *" : "") }),
        controls.body,
      ]));
    }

    var send = el("button", { type: "submit", class: "md-button md-button--primary", text: say("send", { method: op.method }) });
    var messages = el("div", { class: "ead-try-messages", role: "alert" });
    form.appendChild(el("div", { class: "ead-try-row" }, [send, messages]));

    // code blocks scroll sideways: focusable, so a keyboard can scroll them too
    var codes = {};
    var curlBox = el("div", { class: "ead-try-curl" }, [el("div", { class: "ead-try-hint", text: say("same_code") }),
                                                          codeBlock(codes)]);
    var output = el("div", { class: "ead-try-output", "aria-live": "polite", tabindex: "-1" });

    function showCode(req) {
      LANGUAGES.forEach(function (lang) { codes[lang].textContent = codeFor(lang, op, req); });
    }
    function refreshCurl() { showCode(describe(op, controls)); }
    form.addEventListener("input", refreshCurl);
    form.addEventListener("change", refreshCurl);

    function run() {
      var req = describe(op, controls);
      showCode(req); // values may have been set by code (next page)
      messages.textContent = req.problems.join(" ");
      if (req.problems.length) return;
      var headers = { Accept: op.accept || "application/json" };
      req.headers.forEach(function (h) { headers[h[0]] = h[1]; });
      var cred = credentialFor(op);
      if (cred) headers.Authorization = cred.header;
      var payload = req.body;
      if (req.form) {  // the browser writes the multipart boundary itself
        payload = new FormData();
        req.form.forEach(function (f) { payload.append(f[0], f[1]); });
      } else if (req.body !== null) {
        headers["Content-Type"] = req.mediaType;
      }
      var url = conn.node.replace(/\/+$/, "") + req.path;
      output.textContent = "";
      output.appendChild(el("p", { class: "ead-try-hint", text: say("sending") }));
      var started = performance.now();
      fetch(url, { method: req.method, headers: headers, body: payload, credentials: "omit", cache: "no-store" })
        .then(function (response) {
          return response.text().then(function (text) { show(response, text, performance.now() - started); });
        })
        .catch(function () { failed(url); });
    }

    function show(response, text, ms) {
      output.textContent = "";
      var meaning = statusMeaning(op, response.status);
      output.appendChild(el("p", { class: "ead-try-status ead-s" + String(response.status).charAt(0) }, [
        el("strong", { text: response.status + " " + (response.statusText || "") }),
        meaning ? " — " + meaning : "",
        el("span", { class: "ead-try-hint", text: " · " + Math.round(ms) + " ms" }),
      ]));
      var parsed = null;
      try { parsed = text ? JSON.parse(text) : null; } catch (e) { parsed = null; }
      explain(op, response.status, parsed, output);
      var more = response.ok ? nextPage(op, parsed, controls, run) : null;
      if (more) output.appendChild(more);
      var headerLines = [];
      response.headers.forEach(function (value, name) { headerLines.push(name + ": " + value); });
      output.appendChild(el("details", { class: "ead-try-headers" }, [
        el("summary", { text: say("headers", { n: headerLines.length }) }),
        el("pre", {}, [el("code", { text: headerLines.join("\n"), tabindex: "0" })]),
      ]));
      var shown = parsed !== null ? JSON.stringify(parsed, null, 2) : text;
      output.appendChild(el("pre", { class: "ead-try-body-out" }, [el("code", { text: shown || say("no_body"), tabindex: "0" })]));
      output.focus();
    }

    function failed(url) {
      output.textContent = "";
      var origin;
      try { origin = new URL(url).origin; } catch (e) { origin = url; }
      output.appendChild(el("p", { class: "ead-try-status ead-s5" }, [el("strong", { text: say("no_answer") })]));
      output.appendChild(el("div", { class: "ead-try-explain", role: "note", text: say("no_answer_why", { origin: origin }) }));
      output.focus();
    }

    form.addEventListener("submit", function (event) { event.preventDefault(); run(); });

    var box = el("details", { class: "ead-try-box" }, [
      el("summary", { text: say("open") }),
      form, curlBox, output,
    ]);
    section.appendChild(box);
    if (window.EAD_TABS) window.EAD_TABS.setup(box);
    showConnection();
    refreshCurl();
  }

  // ---------------------------------------------------------- copy as Markdown
  // The operations' Markdown is not in the page. A tag page has a script beside it, named
  // by its buttons' data-src (clients.copy.js beside clients.html), that files the page's
  // operations and the definitions of the components they name in window.EAD_MARKDOWN
  // under its own URL. It is loaded once, as a <script src> (a fetch of a file:// URL
  // fails, a script from the page's own folder passes the CSP), when the pointer or the
  // focus first comes to a button, so that it is there by the click; a click before
  // waits for it. The button copies the operation and the definitions it needs, with
  // the Clipboard API, else through a selected textarea.
  var markdownScripts = {};

  function pageMarkdown(src) {
    var url = new URL(src, document.baseURI).href;
    if (!markdownScripts[url]) {
      markdownScripts[url] = new Promise(function (resolve) {
        var known = window.EAD_MARKDOWN && window.EAD_MARKDOWN[url];
        if (known) { resolve(known); return; }
        var script = document.createElement("script");
        script.src = url;
        script.onload = function () { resolve((window.EAD_MARKDOWN || {})[url] || null); };
        script.onerror = function () {
          delete markdownScripts[url]; // a later click tries again
          script.remove();
          resolve(null);
        };
        document.head.appendChild(script);
      });
    }
    return markdownScripts[url];
  }

  function operationMarkdown(page, anchor) {
    var data = page && page.operations && page.operations[anchor];
    if (!data || typeof data.markdown !== "string") return null;
    var names = data.schemas || [];
    if (!names.length) return data.markdown;
    return data.markdown + page.heading + names.map(function (name) { return page.schemas[name] || ""; }).join("");
  }

  function copyBySelection(text) {
    var area = el("textarea", { class: "ead-copy-area", readonly: true, "aria-hidden": "true", tabindex: "-1" });
    area.value = text;
    var focused = document.activeElement;
    document.body.appendChild(area);
    area.select();
    area.setSelectionRange(0, text.length);
    var copied = false;
    try { copied = document.execCommand("copy"); } catch (e) { copied = false; }
    document.body.removeChild(area);
    if (focused && typeof focused.focus === "function") focused.focus();
    return copied;
  }

  function copyText(text) {
    var clipboard = navigator.clipboard;
    if (clipboard && typeof clipboard.writeText === "function") {
      return clipboard.writeText(text).then(function () { return true; }, function () { return copyBySelection(text); });
    }
    return Promise.resolve(copyBySelection(text));
  }

  function mountCopy(section) {
    if (section.getAttribute("data-mounted")) return;
    section.setAttribute("data-mounted", "1");
    var button = section.querySelector("button.ead-copy");
    var src = button && button.getAttribute("data-src");
    var anchor = button && button.getAttribute("data-op");
    if (!src || !anchor) return;
    var label = button.textContent;
    var status = el("span", { class: "ead-copy-status", role: "status" });
    section.insertBefore(status, button.nextSibling);
    var timer = null;
    function show(word, state) {
      button.textContent = word;
      button.setAttribute("data-state", state);
      status.textContent = word;
      clearTimeout(timer);
      timer = setTimeout(function () {
        button.textContent = label;
        button.removeAttribute("data-state");
        status.textContent = "";
      }, 2000);
    }
    function prepare() { pageMarkdown(src); }
    button.addEventListener("pointerenter", prepare);
    button.addEventListener("focus", prepare);
    button.addEventListener("click", function () {
      pageMarkdown(src).then(function (page) {
        var text = operationMarkdown(page, anchor);
        return text === null ? false : copyText(text);
      }).then(function (copied) {
        show(button.getAttribute(copied ? "data-done" : "data-failed"), copied ? "done" : "failed");
      });
    });
    button.hidden = false;
  }

  function init() {
    Array.prototype.forEach.call(document.querySelectorAll("section.ead-try"), mount);
    Array.prototype.forEach.call(document.querySelectorAll("section.ead-md"), mountCopy);
  }

  readStore();
  detectServe(function () {
    if (window.document$ && typeof window.document$.subscribe === "function") {
      window.document$.subscribe(init); // Material's instant navigation
    } else if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", init);
    } else {
      init();
    }
  });
})();
