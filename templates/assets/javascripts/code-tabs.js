// emqx-apidocs: the language tabs of the code samples (curl, Python, JavaScript).
//
// Every sample is in the page as built, each with its caption; without this script
// they all show. With it, each `.ead-code` block shows its tab list and the reader's
// language only. The choice is a preference, not a credential: it is kept in
// localStorage, so it holds on every operation and page, in the Try-it panel too, and
// in the site's other browser tabs.
(function () {
  "use strict";

  var STORE_KEY = "emqx-apidocs:code-language";
  var chosen = read();

  function read() {
    try { return localStorage.getItem(STORE_KEY) || ""; } catch (e) { return ""; }
  }

  function tabsOf(block) { return Array.prototype.slice.call(block.querySelectorAll('[role="tab"]')); }
  function blocks() { return Array.prototype.slice.call(document.querySelectorAll(".ead-code.ead-tabbed")); }

  // Show `lang` in one block (its first language when it has not got that one).
  function show(block, lang) {
    var tabs = tabsOf(block);
    if (!tabs.some(function (tab) { return tab.getAttribute("data-ead-lang") === lang; })) {
      lang = tabs.length ? tabs[0].getAttribute("data-ead-lang") : "";
    }
    tabs.forEach(function (tab) {
      var on = tab.getAttribute("data-ead-lang") === lang;
      tab.setAttribute("aria-selected", on ? "true" : "false");
      tab.tabIndex = on ? 0 : -1;
    });
    Array.prototype.forEach.call(block.querySelectorAll(".ead-sample"), function (sample) {
      sample.hidden = sample.getAttribute("data-ead-lang") !== lang;
    });
  }

  function choose(lang) {
    chosen = lang;
    try { localStorage.setItem(STORE_KEY, lang); } catch (e) { /* storage off: this page only */ }
    blocks().forEach(function (block) { show(block, lang); });
  }

  // Turn every block under `root` (not yet done) into tabs.
  function setup(root) {
    Array.prototype.forEach.call((root || document).querySelectorAll(".ead-code:not(.ead-tabbed)"), function (block) {
      var list = block.querySelector('[role="tablist"]');
      if (!list) return;
      tabsOf(block).forEach(function (tab) {
        var panel = document.getElementById(tab.getAttribute("aria-controls"));
        if (panel) {
          panel.setAttribute("role", "tabpanel");
          panel.setAttribute("aria-labelledby", tab.id);
        }
        tab.addEventListener("click", function () { choose(tab.getAttribute("data-ead-lang")); });
      });
      list.addEventListener("keydown", function (event) { move(block, event); });
      list.hidden = false;
      block.classList.add("ead-tabbed");
      show(block, chosen);
    });
  }

  // Arrow keys, Home and End move along the tabs and choose (the tabs pattern of ARIA).
  function move(block, event) {
    var tabs = tabsOf(block);
    var at = tabs.indexOf(document.activeElement);
    if (at < 0) return;
    var to = { ArrowRight: at + 1, ArrowLeft: at - 1, Home: 0, End: tabs.length - 1 }[event.key];
    if (to === undefined) return;
    event.preventDefault();
    var tab = tabs[(to + tabs.length) % tabs.length];
    choose(tab.getAttribute("data-ead-lang"));
    tab.focus();
  }

  // another browser tab of the site chose
  window.addEventListener("storage", function (event) {
    if (event.key === STORE_KEY && event.newValue) {
      chosen = event.newValue;
      blocks().forEach(function (block) { show(block, chosen); });
    }
  });

  window.EAD_TABS = { setup: setup };

  function init() { chosen = read() || chosen; setup(document); }
  if (window.document$ && typeof window.document$.subscribe === "function") {
    window.document$.subscribe(init); // Material's instant navigation
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
