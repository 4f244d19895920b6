/* The entry grid without a mouse: arrow keys and Enter move between cells as in a spreadsheet.
   The page works without this script (Tab moves across, the button saves); this only adds movement.
   Each row of the table holds one line per field (accepted above closed), so "down" from the upper
   field is the lower one of the same month, and from the lower one the next power's upper field. */
(function () {
  "use strict";
  var table = document.querySelector("table.entry-grid");
  if (!table) { return; }
  var fields = parseInt(table.getAttribute("data-fields"), 10) || 1;
  var lines = [];  // lines[line][month] = input or null (a month the power was not in force)
  var where = new Map();
  Array.prototype.forEach.call(table.tBodies[0].rows, function (tr) {
    var cells = tr.querySelectorAll("td:not(.code)");
    if (!cells.length) { return; }
    for (var f = 0; f < fields; f++) {
      var line = [];
      Array.prototype.forEach.call(cells, function (td, month) {
        var input = td.querySelectorAll("input:not([type=hidden])")[f] || null;
        if (input) { where.set(input, [lines.length, month]); }
        line.push(input);
      });
      lines.push(line);
    }
  });

  function find(line, month, dLine, dMonth) {
    for (;;) {
      line += dLine; month += dMonth;
      if (line < 0 || line >= lines.length || month < 0 || month >= 12) { return null; }
      if (lines[line][month]) { return lines[line][month]; }
    }
  }

  var moves = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] };
  table.addEventListener("keydown", function (event) {
    var at = where.get(event.target);
    if (!at || event.altKey || event.ctrlKey || event.metaKey) { return; }
    var move = event.key === "Enter" ? [event.shiftKey ? -1 : 1, 0] : moves[event.key];
    if (!move) { return; }
    // Enter must not submit the whole grid from a cell; the save button does.
    event.preventDefault();
    var next = find(at[0], at[1], move[0], move[1]);
    if (next) { next.focus(); next.select(); }
  });
  table.addEventListener("input", function (event) {
    var tr = event.target.closest("tr");
    if (tr) { tr.classList.add("edited"); }
  });
})();
