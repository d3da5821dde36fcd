// Carnet: the idle timer, and search as you type in a list (the list also works without this
// script, through the search button). The search filters the rendered rows in the page:
// nothing typed leaves the browser.
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
  var template = count ? count.getAttribute("data-template") : null;
  input.addEventListener("input", function () {
    var q = input.value.normalize("NFC").toLowerCase().trim();
    var shown = 0;
    table.querySelectorAll("tbody tr").forEach(function (row) {
      var name = row.querySelector("th").textContent.normalize("NFC").toLowerCase();
      var match = q === "" || name.indexOf(q) !== -1;
      row.hidden = !match;
      if (match) { shown += 1; }
    });
    if (count && template) { count.textContent = template.replace("{n}", String(shown)); }
  });
});
