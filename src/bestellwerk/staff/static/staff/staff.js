// Bestellwerk staff UI: small progressive enhancements; every page works without them.
(function () {
  "use strict";

  // Show only the inputs the chosen bulk action uses.
  function syncBulkFields() {
    var action = document.getElementById("bulk-action");
    if (!action) {
      return;
    }
    document.querySelectorAll("[data-bulk-for]").forEach(function (field) {
      var uses = field.dataset.bulkFor.split(" ");
      field.hidden = uses.indexOf(action.value) === -1;
    });
  }

  document.addEventListener("change", function (event) {
    if (event.target.id === "select-page") {
      // Tick every row of the page at once.
      document.querySelectorAll(".order-select").forEach(function (box) {
        box.checked = event.target.checked;
      });
    } else if (event.target.id === "bulk-action") {
      syncBulkFields();
    }
  });
  // Bootstrap tooltips (e.g. on the export and print hooks), also for keyboard focus.
  function initTooltips() {
    if (!window.bootstrap) {
      return;
    }
    document.querySelectorAll('[data-bs-toggle="tooltip"]').forEach(function (element) {
      window.bootstrap.Tooltip.getOrCreateInstance(element);
    });
  }

  function enhance() {
    syncBulkFields();
    initTooltips();
  }

  document.addEventListener("DOMContentLoaded", enhance);
  document.addEventListener("htmx:afterSettle", enhance);
})();
