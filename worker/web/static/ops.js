// The operations page: while a re-check runs, poll /ops/rechecks.json (same origin) and update its row.
(function () {
  "use strict";
  var table = document.querySelector("table.rechecks[data-poll]");
  if (!table) { return; }
  var LABELS = { running: "进行中", done: "已完成", not_queued: "未能排队" };
  function running() {
    return table.querySelector("tr[data-state='running']") !== null;
  }
  function update(run) {
    var row = document.getElementById("recheck-" + run.id);
    if (!row) { return false; }
    var bar = row.querySelector("progress");
    bar.max = run.total || 1;
    bar.value = run.total ? run.finished : 1;
    row.querySelector(".recheck-count").textContent = run.finished + " / " + run.total;
    row.querySelector(".recheck-state").textContent = LABELS[run.state] || run.state;
    row.setAttribute("data-state", run.state);
    return true;
  }
  function poll() {
    if (!running()) { return; }
    fetch(table.getAttribute("data-poll"), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (body) {
        if (body) { body.runs.forEach(update); }
        window.setTimeout(poll, 1000);
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, 1000);
})();
