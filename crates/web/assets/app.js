// Carnet: the idle timer, and search as you type in a list (the list also works without this
// script, through the search button). The search filters the rendered rows in the page,
// accents and case aside: nothing typed leaves the browser.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  // Leave the page once the session has locked itself after its idle delay (the server decides:
  // /idle leads to the passphrase page if locked, to Today otherwise).
  var idle = parseInt(document.body.getAttribute("data-idle") || "", 10);
  if (idle > 0) {
    var timer = null;
    var arm = function () {
      if (timer) { clearTimeout(timer); }
      timer = setTimeout(function () { window.location.assign("/idle"); }, idle * 1000);
    };
    ["keydown", "input", "click"].forEach(function (e) { document.addEventListener(e, arm); });
    arm();
  }
  var input = document.querySelector("input[data-filter]");
  var table = document.getElementById("records");
  var count = document.getElementById("count");
  if (!input || !table) { return; }
  // The count in the page language's plural form (the page gives both forms, with {n}).
  var one = count ? count.getAttribute("data-one") : null;
  var other = count ? count.getAttribute("data-other") : null;
  var plural = new Intl.PluralRules(document.documentElement.lang || "fr");
  // Names compared as the server compares them: compatibility decomposition without its
  // combining marks, lowercase ("adebayo" finds "Adébáyọ̀").
  var fold = function (s) { return s.normalize("NFKD").replace(/\p{M}/gu, "").toLowerCase(); };
  input.addEventListener("input", function () {
    var q = fold(input.value).trim();
    var shown = 0;
    table.querySelectorAll("tbody tr").forEach(function (row) {
      var name = fold(row.querySelector("th").textContent);
      var match = q === "" || name.indexOf(q) !== -1;
      row.hidden = !match;
      if (match) { shown += 1; }
    });
    var form = plural.select(shown) === "one" ? one : other;
    if (form) { count.textContent = form.replace("{n}", String(shown)); }
  });
});
