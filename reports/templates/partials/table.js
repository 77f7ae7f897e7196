(function () {
  "use strict";
  var table = document.getElementById("ranked-table");
  if (!table) { return; }
  var tbody = table.tBodies[0];
  var rows = Array.prototype.slice.call(tbody.rows);
  var heads = table.tHead.rows[0].cells;
  var filter = document.getElementById("rt-filter");
  var tierSel = document.getElementById("rt-tier");
  var indSel = document.getElementById("rt-industry");
  var count = document.getElementById("rt-count");
  // cells are written without whitespace between them: join their texts so a search cannot match across two
  var texts = rows.map(function (r) {
    return Array.prototype.map.call(r.cells, function (c) { return c.textContent; }).join(" ").toLowerCase();
  });
  function apply() {
    var q = (filter.value || "").trim().toLowerCase(), tier = tierSel.value, ind = indSel.value, n = 0;
    rows.forEach(function (r, i) {
      var ok = (!q || texts[i].indexOf(q) >= 0) && (!tier || r.getAttribute("data-tier") === tier) &&
               (!ind || r.getAttribute("data-industry") === ind);
      r.style.display = ok ? "" : "none";
      if (ok) { n += 1; }
    });
    count.textContent = n + " / " + rows.length;
  }
  function key(cell, type) {
    var v = cell.hasAttribute("data-v") ? cell.getAttribute("data-v") : cell.textContent.trim();
    if (type === "num") { var x = parseFloat(v); return isNaN(x) ? Infinity : x; }
    return v;
  }
  Array.prototype.forEach.call(heads, function (th, col) {
    th.addEventListener("click", function () {
      var type = th.getAttribute("data-type") || "text";
      var asc = !th.classList.contains("sorted-asc");
      Array.prototype.forEach.call(heads, function (h) { h.classList.remove("sorted-asc", "sorted-desc"); });
      th.classList.add(asc ? "sorted-asc" : "sorted-desc");
      var order = rows.map(function (r, i) { return [key(r.cells[col], type), i]; });
      order.sort(function (a, b) {
        var c = (type === "num") ? (a[0] - b[0]) : String(a[0]).localeCompare(String(b[0]), "zh-Hans-CN");
        if (isNaN(c)) { c = 0; }
        return (asc ? c : -c) || (a[1] - b[1]);
      });
      var frag = document.createDocumentFragment();
      order.forEach(function (o) { frag.appendChild(rows[o[1]]); });
      tbody.appendChild(frag);
    });
  });
  [filter, tierSel, indSel].forEach(function (el) { el.addEventListener("input", apply); el.addEventListener("change", apply); });
  apply();
})();
