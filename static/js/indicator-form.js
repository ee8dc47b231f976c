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
// The rule parameters: the deduction input and the band table only for the scoring rule that uses them.
(function () {
  const select = document.getElementById("id_scoring");
  if (!select) return;
  const show = () => {
    document.querySelectorAll("[data-scoring]").forEach((input) => {
      const box = input.closest("[data-scoring-box]") || input.closest(".mb-3");
      if (box) box.hidden = input.dataset.scoring !== select.value;
    });
  };
  select.addEventListener("change", show);
  show();
})();
