/* Order page: the status dialog and "copy to clipboard". Delegated listeners, so the
   sections htmx swaps in keep working without re-binding. */
(function () {
  "use strict";

  // Show the panel of the chosen status's stock effect; the hidden panels are disabled, so
  // their inputs are neither sent nor required.
  function showEffect(select) {
    var form = select.closest("[data-status-form]");
    if (!form) return;
    var option = select.options[select.selectedIndex];
    var effect = (option && option.getAttribute("data-effect")) || "";
    form.querySelectorAll("[data-effect-panel]").forEach(function (panel) {
      var shown = panel.getAttribute("data-effect-panel") === effect;
      panel.hidden = !shown;
      if (panel.tagName === "FIELDSET") panel.disabled = !shown;
    });
  }

  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text);
    }
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.appendChild(area);
    area.select();
    document.execCommand("copy");
    area.remove();
    return Promise.resolve();
  }

  document.addEventListener("click", function (event) {
    var opener = event.target.closest("[data-open-dialog]");
    if (opener) {
      var dialog = document.getElementById(opener.getAttribute("data-open-dialog"));
      if (dialog) {
        var select = dialog.querySelector("[data-status-select]");
        if (select) showEffect(select);
        dialog.showModal();
        if (select) select.focus();
      }
      return;
    }
    var closer = event.target.closest("[data-close-dialog]");
    if (closer) {
      closer.closest("dialog").close();
      return;
    }
    var copier = event.target.closest("[data-copy-from]");
    if (copier) {
      var source = document.querySelector(copier.getAttribute("data-copy-from"));
      if (!source) return;
      var original = copier.textContent;
      copyText(source.value || source.textContent).then(function () {
        copier.textContent = copier.getAttribute("data-copied-label") || original;
        copier.setAttribute("data-copied", "true");
        window.setTimeout(function () { copier.textContent = original; }, 2000);
      });
    }
  });

  document.addEventListener("change", function (event) {
    if (event.target.matches("[data-status-select]")) showEffect(event.target);
  });

  // A quantity is saved as it is typed, once the browser finds it valid (1 to 10,000). Here
  // rather than as an htmx trigger filter: filters are evaluated code, which the page's
  // Content-Security-Policy refuses.
  document.addEventListener("htmx:confirm", function (event) {
    var field = event.detail.elt;
    if (field.matches("[data-send-when-valid]") && !field.checkValidity()) event.preventDefault();
  });
})();
