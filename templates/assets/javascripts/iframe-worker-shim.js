/*
 * iframe-worker-shim.js - local stand-in for `Worker` on pages opened via file://
 *
 * Part of emqx-apidocs; no dependencies, no network. Chromium refuses
 * `new Worker()` on file:// pages, which breaks Material for MkDocs' search.
 * On the file: protocol only, this replaces `window.Worker` with a class that
 * runs the worker script inside a hidden same-origin about:blank iframe. The
 * file name contains "iframe-worker" so that Material's offline plugin does
 * not add its CDN polyfill. Over http(s) this script does nothing.
 */
(function () {
  "use strict";

  if (typeof window === "undefined" || window.location.protocol !== "file:")
    return;

  /* Copy a message into the target realm, like a real worker would */
  function cloneInto(realm, data) {
    return typeof realm.structuredClone === "function"
      ? realm.structuredClone(data)
      : data;
  }

  /* "Error: message", like the `message` of a real worker's error event */
  function describe(err) {
    try {
      return String(err);
    } catch (_) {
      return Object.prototype.toString.call(err);
    }
  }

  /* Run `fn` as a separate task, as message delivery is asynchronous */
  function later(fn) {
    window.setTimeout(fn, 0);
  }

  class FileWorker extends EventTarget {
    constructor(scriptURL, options) {
      super();
      options = options || {};

      const url = new URL(String(scriptURL), document.baseURI).href;
      const handlers = { message: null, messageerror: null, error: null };
      let queue = [];        /* messages posted before the script loaded */
      let ready = false;
      let terminated = false;

      /* `onmessage`, `onerror` and `onmessageerror` handler properties */
      for (const type of Object.keys(handlers)) {
        Object.defineProperty(this, "on" + type, {
          get: () => handlers[type],
          set: fn => { handlers[type] = typeof fn === "function" ? fn : null; },
          enumerable: true
        });
        this.addEventListener(type, ev => {
          if (handlers[type])
            handlers[type].call(this, ev);
        });
      }

      /* Hidden iframe without src: its document is same-origin with ours */
      const frame = document.createElement("iframe");
      frame.setAttribute("aria-hidden", "true");
      frame.setAttribute("tabindex", "-1");
      frame.title = "worker: " + url;
      frame.style.display = "none";
      (document.body || document.documentElement).appendChild(frame);
      const realm = frame.contentWindow;
      const doc = realm.document;

      /* Worker globals are defined on the iframe's window */
      const define = (name, value) => Object.defineProperty(realm, name, {
        value, writable: true, configurable: true, enumerable: false
      });
      const nativeAdd = realm.addEventListener;
      const nativeRemove = realm.removeEventListener;

      /* Report an error raised in the worker as an `error` event here */
      const reportError = (init, err) => later(() => {
        if (terminated)
          return;
        const ev = new ErrorEvent("error", Object.assign({ cancelable: true }, init));
        if (this.dispatchEvent(ev) && err !== undefined)
          console.error("Uncaught (in worker " + url + ")", err);
      });

      /* Errors at the top level of worker scripts. As file:// scripts count
         as cross-origin, Chromium reduces them to "Script error." here */
      nativeAdd.call(realm, "error", ev => later(() => {
        if (!ev.defaultPrevented)
          reportError({
            message: ev.message, filename: ev.filename,
            lineno: ev.lineno, colno: ev.colno, error: ev.error
          });
      }));

      /* Message listeners run guarded, so their errors keep all details */
      const guard = fn => function (ev) {
        try {
          return typeof fn === "function" ? fn.call(realm, ev) : fn.handleEvent(ev);
        } catch (err) {
          reportError({
            message: "Uncaught " + describe(err),
            filename: url, error: err
          }, err);
        }
      };
      const guarded = new WeakMap();
      const wrap = (type, fn) => {
        if (type !== "message" || !fn || !/^(function|object)$/.test(typeof fn))
          return fn;
        if (!guarded.has(fn))
          guarded.set(fn, guard(fn));
        return guarded.get(fn);
      };
      define("addEventListener", (type, fn, opts) =>
        nativeAdd.call(realm, type, wrap(type, fn), opts));
      define("removeEventListener", (type, fn, opts) =>
        nativeRemove.call(realm, type, wrap(type, fn), opts));

      /* `onmessage` inside the worker */
      let onmessage = null;
      nativeAdd.call(realm, "message", guard(ev => onmessage && onmessage.call(realm, ev)));
      Object.defineProperty(realm, "onmessage", {
        get: () => onmessage,
        set: fn => { onmessage = typeof fn === "function" ? fn : null; },
        configurable: true, enumerable: true
      });

      /* Messages from the worker to this object */
      define("postMessage", data => {
        if (terminated)
          return;
        const copy = cloneInto(window, data);
        later(() => {
          if (!terminated)
            this.dispatchEvent(new MessageEvent("message", { data: copy }));
        });
      });
      define("close", () => this.terminate());
      if (options.name)
        realm.name = String(options.name);

      /* Resolve relative to the worker URL. Material's search worker finds
         the lunr language files via `workerSrc.split("/worker")[0]`, which
         is wrong when a directory above the site starts with "worker" (e.g.
         /home/worker/site); map such URLs back next to the worker script */
      const cut = url.lastIndexOf("/workers/");
      const wrongBase = url.split("/worker")[0] + "/lunr/";
      const rightBase = url.slice(0, cut) + "/lunr/";
      const resolveURL = src => {
        const href = new URL(String(src), url).href;
        return cut >= 0 && wrongBase !== rightBase && href.startsWith(wrongBase)
          ? rightBase + href.slice(wrongBase.length)
          : href;
      };
      /* Load scripts in order. This cannot block like the real
         `importScripts`, so it returns a Promise; Material's search worker
         awaits it (lunr language support). Sync callers would break. */
      const loadScript = src => new Promise((resolve, reject) => {
        const el = doc.createElement("script");
        el.src = resolveURL(src);
        el.onload = () => resolve();
        el.onerror = () => reject(new Error(
          "importScripts: could not load " + el.src + " (file:// worker shim)"
        ));
        (doc.head || doc.documentElement).appendChild(el);
      });
      define("importScripts", (...urls) => {
        if (options.type === "module")
          throw new TypeError("importScripts is not available in module workers");
        return urls.reduce(
          (prev, src) => prev.then(() => loadScript(src)),
          Promise.resolve()
        );
      });

      /* Deliver a message from this object into the worker */
      const deliver = data => {
        if (!terminated)
          realm.dispatchEvent(new realm.MessageEvent("message", { data }));
      };

      this.postMessage = function (data) {
        if (terminated)
          return;
        const copy = cloneInto(realm, data);
        if (ready)
          later(() => deliver(copy));
        else
          queue.push(copy);
      };

      this.terminate = function () {
        if (terminated)
          return;
        terminated = true;
        queue = [];
        frame.remove();
      };

      /* Load the worker script itself; it must be the first script[src] in
         the iframe, as Material derives the lunr base URL from it */
      const script = doc.createElement("script");
      if (options.type === "module")
        script.type = "module";
      script.src = url;
      script.onload = () => {
        if (terminated)
          return;
        ready = true;
        const pending = queue;
        queue = [];
        later(() => pending.forEach(deliver));
      };
      script.onerror = () => {
        later(() => {
          if (!terminated)
            this.dispatchEvent(new Event("error", { cancelable: true }));
        });
      };
      (doc.head || doc.documentElement).appendChild(script);
    }
  }

  /* Material's search worker looks for `IFrameWorker` on its parent window
     to locate the lunr language files next to the worker script */
  Object.defineProperty(window, "IFrameWorker", {
    value: FileWorker, writable: true, configurable: true
  });
  Object.defineProperty(window, "Worker", {
    value: FileWorker, writable: true, configurable: true
  });
})();
