// Carnet: search as you type in a list (the list also works without this script, through the
// search button). Filters the rendered rows in the page: nothing typed leaves the browser.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
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
