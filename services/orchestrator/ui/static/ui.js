// fdd dashboard: live status by polling the dashboard's JSON (no library). An element with data-poll
// names the URL; every element with data-run-id gets its status, stage, round, progress and cost
// refreshed. On a run page (data-reload-*), a new round or status reloads the page to redraw the charts.
// A form with data-confirm asks first.
(function () {
  "use strict";
  var TERMINAL = { done: true, failed: true, cancelled: true };
  var INTERVAL_MS = 2000;

  function setText(root, field, text) {
    var el = root.querySelector('[data-field="' + field + '"]');
    if (el && el.textContent !== text) el.textContent = text;
  }

  function update(item) {
    document.querySelectorAll('[data-run-id="' + item.id + '"]').forEach(function (root) {
      var status = root.querySelector('[data-field="status"]');
      if (status) status.innerHTML = '<span class="badge ' + item.status + '"></span>';
      if (status) status.firstChild.textContent = item.status;
      setText(root, "stage", item.stage);
      setText(root, "round", item.round + " / " + item.rounds);
      setText(root, "cost", "$" + Number(item.cost_usd).toFixed(4));
      var progress = root.querySelector('[data-field="progress"]');
      if (progress) {
        var bar = progress.querySelector("progress");
        bar.max = item.progress.total || 1;
        bar.value = item.progress.done;
        bar.hidden = !item.progress.total;
        progress.querySelector(".progress-label").textContent = item.progress.label;
      }
    });
  }

  function poll(live) {
    var reloadStatus = live.getAttribute("data-reload-status");
    var reloadRounds = live.getAttribute("data-reload-rounds");
    function tick() {
      fetch(live.getAttribute("data-poll"), { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          if (response.status === 401) { window.location.reload(); throw new Error("logged out"); }
          return response.json();
        })
        .then(function (data) {
          var items = data.items || [data];
          items.forEach(update);
          if (reloadStatus !== null && (data.status !== reloadStatus || String(data.rounds_stored) !== reloadRounds)) {
            window.location.reload();
            return;
          }
          var active = items.some(function (item) { return !TERMINAL[item.status]; });
          if (active) window.setTimeout(tick, INTERVAL_MS);
        })
        .catch(function () { window.setTimeout(tick, INTERVAL_MS * 3); });
    }
    window.setTimeout(tick, INTERVAL_MS);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var live = document.querySelector("[data-poll]");
    if (live) poll(live);
    document.querySelectorAll("form[data-confirm]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        if (!window.confirm(form.getAttribute("data-confirm"))) event.preventDefault();
      });
    });
  });
})();
