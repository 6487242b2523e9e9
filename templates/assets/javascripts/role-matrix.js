// emqx-apidocs: filter the roles matrix by text and by role. Plain DOM, no innerHTML.
// The count's words come from the matrix's data-ead-count-one/-other attributes.
(function () {
  "use strict";

  function setup(matrix) {
    var text = matrix.querySelector("[data-ead-filter]");
    var role = matrix.querySelector("[data-ead-role]");
    var count = matrix.querySelector("[data-ead-count]");
    var rows = Array.prototype.slice.call(matrix.querySelectorAll("[data-ead-row]"));
    var groups = Array.prototype.slice.call(matrix.querySelectorAll("[data-ead-group]"));

    function apply() {
      var words = text.value.toLowerCase().split(/\s+/).filter(Boolean);
      var wanted = role.value;
      var shown = 0;
      rows.forEach(function (row) {
        var haystack = row.getAttribute("data-text");
        var roles = (row.getAttribute("data-roles") || "").split(" ");
        var ok = words.every(function (w) { return haystack.indexOf(w) !== -1; }) &&
          (!wanted || roles.indexOf(wanted) !== -1);
        row.hidden = !ok;
        if (ok) shown += 1;
      });
      groups.forEach(function (group) {
        group.hidden = !group.querySelector("[data-ead-row]:not([hidden])");
      });
      var form = matrix.getAttribute(rows.length === 1 ? "data-ead-count-one" : "data-ead-count-other") ||
        "{shown} of {total}";
      count.textContent = form.replace("{shown}", String(shown)).replace("{total}", String(rows.length));
    }

    text.addEventListener("input", apply);
    role.addEventListener("change", apply);
    apply();
  }

  function init() {
    var matrices = document.querySelectorAll("[data-ead-matrix]");
    Array.prototype.forEach.call(matrices, setup);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
