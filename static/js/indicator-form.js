// Indicator form: show only the inputs of the threshold form chosen; without script every input stays visible.
(function () {
  const select = document.getElementById("id_threshold_form");
  if (!select) return;
  const show = () => document.querySelectorAll("[data-threshold-form]").forEach((input) => {
    const box = input.closest(".mb-3");
    if (box) box.hidden = input.dataset.thresholdForm !== select.value;
  });
  select.addEventListener("change", show);
  show();
})();
