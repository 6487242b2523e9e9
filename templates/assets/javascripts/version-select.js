// emqx-apidocs: the version selector of a site of several versions.
//
// The selector in the header (a <details> written at build time) links every version at
// the same page, or at its home page where it has no such page; those links work without
// this script. The script points them at the operation being read when the other version
// has it, from window.EAD_VERSIONS (versions-data.js, written with the site): nothing is
// fetched, so it works from file:// as well as from a server. It also closes the list on
// Escape (focus back on its button) and on a click elsewhere. Plain DOM, no innerHTML.
(function () {
  "use strict";

  var DATA = window.EAD_VERSIONS;
  var script = document.currentScript;
  if (!DATA || !script) return;
  var siteRoot = new URL("../", new URL(DATA.root, script.src)); // the folder of the version folders

  function has(object, key) {
    return Object.prototype.hasOwnProperty.call(object, key);
  }

  function fragment(url) {
    try {
      return decodeURIComponent(new URL(url).hash.slice(1));
    } catch (e) {
      return "";
    }
  }

  // The operation the reader asked for: the address's fragment when the page was opened
  // (the navigation entry keeps it: the theme's navigation.tracking rewrites the address
  // as the page scrolls, without an event, and may name the operation above a
  // deep-linked one), then the fragment of each link followed within the page. It stays
  // the answer until the reader scrolls by hand (the page's own scrolling, and its layout
  // settling as operations come near, are not theirs).
  var navigation = window.performance && performance.getEntriesByType
    ? performance.getEntriesByType("navigation")[0] : null;
  var asked = fragment(navigation && navigation.name ? navigation.name : location.href);
  var scrolled = false;
  var SCROLL_KEYS = ["ArrowDown", "ArrowUp", "PageDown", "PageUp", "Home", "End", " "];
  window.addEventListener("hashchange", function () {
    asked = fragment(location.href);
    scrolled = false;
  });
  ["wheel", "touchmove"].forEach(function (name) {
    window.addEventListener(name, function () { scrolled = true; }, { passive: true });
  });
  window.addEventListener("keydown", function (event) {
    if (SCROLL_KEYS.indexOf(event.key) !== -1) scrolled = true;
  });
  document.addEventListener("pointerdown", function (event) {
    if (event.target === document.documentElement) scrolled = true; // the page's scroll bar
  });

  // The operation being read: the one asked for, unless the reader has scrolled since
  // and its heading is off screen; else the one whose heading is the last in the top
  // quarter of the window or above it; none at the top of a page.
  function operation() {
    var header = document.querySelector(".md-header");
    var top = header ? header.getBoundingClientRect().bottom : 0;
    var named = asked && has(DATA.anchors, asked) ? document.getElementById(asked) : null;
    if (named) {
      var box = named.getBoundingClientRect();
      if (!scrolled || (box.top >= top - 4 && box.top < window.innerHeight)) return DATA.anchors[asked];
    }
    var limit = Math.max(top + 32, window.innerHeight / 4);
    var found = null;
    var headings = document.querySelectorAll("h2.ead-h[id]");
    for (var i = 0; i < headings.length; i += 1) {
      if (headings[i].getBoundingClientRect().top > limit) break;
      found = headings[i];
    }
    return found && has(DATA.anchors, found.id) ? DATA.anchors[found.id] : null;
  }

  function retarget(selector) {
    var key = operation();
    var where = key && has(DATA.operations, key) ? DATA.operations[key] : {};
    Array.prototype.forEach.call(selector.querySelectorAll("a[data-ead-version]"), function (link) {
      if (!link.hasAttribute("data-ead-page")) link.setAttribute("data-ead-page", link.getAttribute("href"));
      var label = link.getAttribute("data-ead-version");
      link.setAttribute("href", has(where, label)
        ? new URL(label + "/" + where[label], siteRoot).href
        : link.getAttribute("data-ead-page"));
    });
  }

  function setup(selector) {
    var summary = selector.querySelector("summary");
    selector.addEventListener("toggle", function () {
      if (selector.open) retarget(selector);
    });
    // the address or the scroll position may have changed since the list opened
    ["pointerdown", "focusin"].forEach(function (name) {
      selector.addEventListener(name, function (event) {
        if (event.target.closest && event.target.closest("a[data-ead-version]")) retarget(selector);
      });
    });
    selector.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && selector.open) {
        selector.open = false;
        summary.focus();
      }
    });
    document.addEventListener("click", function (event) {
      if (selector.open && !selector.contains(event.target)) selector.open = false;
    });
    retarget(selector);
  }

  function init() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-ead-versions]"), setup);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
