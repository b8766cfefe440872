// Type-to-filter for long selects (the 77 provinces, a long list of agencies): a search box above
// the select narrows its options. Without this file the select works as it is. Each option may carry
// data-names (its names in every language and common short forms) so "chiang" finds เชียงใหม่ in
// the Thai UI; its value counts as a name too (a province's code, an agency's slug: "mdes").
(function () {
  "use strict";

  // Thai has no case and no spaces inside names; NFC keeps a typed vowel-tone order comparable.
  function fold(text) {
    return (text || "").normalize("NFC").toLowerCase().replace(/\s+/g, "").replace(/^(จ\.|จังหวัด)/, "");
  }

  function enhance(select) {
    var all = Array.prototype.slice.call(select.options);
    var keys = all.map(function (o) { return fold(o.text + " " + o.value + " " + (o.getAttribute("data-names") || "")); });
    var input = document.createElement("input");
    input.type = "search";
    input.className = "input filter-select__input";
    input.id = select.id + "-filter";
    input.autocomplete = "off";
    input.setAttribute("aria-label", select.getAttribute("data-filter-label"));
    // Seen as well as heard: without it the box above the select was an unexplained empty field.
    input.placeholder = select.getAttribute("data-filter-label");
    input.setAttribute("aria-controls", select.id);
    var status = document.createElement("p");
    status.className = "visually-hidden";
    status.setAttribute("aria-live", "polite");
    select.parentNode.insertBefore(input, select);
    select.parentNode.insertBefore(status, select.nextSibling);

    function matches() {
      var q = fold(input.value);
      return all.filter(function (o, i) { return !o.value || !q || keys[i].indexOf(fold(q)) !== -1; });
    }

    input.addEventListener("input", function () {
      var chosen = select.value;
      var shown = matches();
      // Options are moved rather than hidden: Safari's picker ignores hidden options.
      select.replaceChildren.apply(select, shown);
      select.value = chosen;
      var named = shown.filter(function (o) { return o.value; });
      if (input.value && named.length === 1) select.value = named[0].value;
      // While filtering, the matches show as an open list, not hidden behind a closed select.
      select.size = input.value ? Math.min(Math.max(shown.length, 2), 8) : 0;
      status.textContent = named.length + " / " + all.filter(function (o) { return o.value; }).length;
    });

    // Enter picks the first match instead of submitting the form; arrow down moves to the select.
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter") {
        var first = matches().filter(function (o) { return o.value; })[0];
        if (first) select.value = first.value;
        event.preventDefault();
        select.focus();
      } else if (event.key === "ArrowDown") {
        event.preventDefault();
        select.focus();
      }
    });
  }

  function init(root) {
    root.querySelectorAll("select[data-filter-label]").forEach(function (s) {
      if (!s.hasAttribute("data-filter-ready")) {
        s.setAttribute("data-filter-ready", "");
        enhance(s);
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () { init(document); });
  document.addEventListener("htmx:load", function (event) { init(event.detail.elt); });
})();
