// emqx-apidocs: bring a deep-linked operation into view with the first paint.
// A browser scrolls to a #fragment only after the page's scripts have run, which on
// a long reference page comes several hundred milliseconds after the page could
// first be painted. Loaded in <head>: it watches the parser and scrolls the moment
// the target element exists; the theme scrolls to it again once it has loaded.
// Until then the page is marked as seeking, and apidocs.css skips the layout of the
// operations before the target, which the reader is about to scroll past.
(function () {
  "use strict";
  if (!location.hash || typeof MutationObserver !== "function") return;
  var id;
  try {
    id = decodeURIComponent(location.hash.slice(1));
  } catch (e) {
    return; // a malformed fragment: leave it to the browser
  }
  if (!id) return;
  var root = document.documentElement;
  root.classList.add("ead-seeking");

  function reveal() {
    var target = document.getElementById(id);
    if (!target) return false;
    root.classList.remove("ead-seeking");
    target.scrollIntoView({ block: "start" });
    return true;
  }

  var watcher = new MutationObserver(function () {
    if (reveal()) watcher.disconnect();
  });
  watcher.observe(document.documentElement, { childList: true, subtree: true });
  document.addEventListener("DOMContentLoaded", function () {
    watcher.disconnect();
    root.classList.remove("ead-seeking");
  }, { once: true });
})();
