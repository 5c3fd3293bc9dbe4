/* The refund form (payments/_refund_form.html). */
// The amount as the server computes it: each line's share of its total, the last units
// taking the exact rest, plus shipping. Staff may overwrite it; the server checks bounds.
(function () {
  "use strict";
  const form = document.getElementById("refund-form");
  if (!form) return;
  const amount = form.querySelector("[name=amount]");
  const shipping = form.querySelector("[name=include_shipping]");
  const cents = (text) => Math.round(parseFloat(text) * 100);
  function compute() {
    let total = 0;
    form.querySelectorAll("[data-refund-line]").forEach((input) => {
      const quantity = parseInt(input.value || "0", 10);
      if (!(quantity > 0)) return;
      if (quantity >= parseInt(input.dataset.refundable, 10)) {
        total += cents(input.dataset.rest);
      } else {
        total += Math.round(cents(input.dataset.total) * quantity / parseInt(input.dataset.quantity, 10));
      }
    });
    if (shipping.checked) total += cents(shipping.closest("[data-shipping]").dataset.shipping);
    amount.value = total > 0 ? (total / 100).toFixed(2) : "";
  }
  form.querySelectorAll("[data-refund-line]").forEach((input) => input.addEventListener("input", compute));
  shipping.addEventListener("change", compute);
  // Quantities typed before this script ran (a slow page) or restored by the browser count
  // too; an amount already there (staff's own, shown again with an error) stays.
  if (!amount.value) compute();
})();
