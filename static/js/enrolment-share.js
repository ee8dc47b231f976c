// Enrolment page: the share as it would be once this page is saved (the saved share stays above it).
(function () {
  const card = document.querySelector("[data-testid=enrolment-share]");
  const form = document.querySelector("[data-testid=enrolment-form]");
  if (!card || !form) return;
  const total = Number(card.dataset.total);
  const saved = Number(card.dataset.enrolled);
  const preview = card.querySelector("[data-preview]");
  const shown = card.querySelector("[data-preview-share]");
  const update = () => {
    let delta = 0;
    form.querySelectorAll("input[name=enrolled]").forEach((box) => {
      delta += (box.checked ? 1 : 0) - Number(box.dataset.was);
    });
    const count = saved + delta;
    shown.textContent = total ? `${(Math.round((count * 1000) / total) / 10).toFixed(1)}%(${count}/${total})` : "—";
    preview.hidden = delta === 0;
  };
  form.addEventListener("change", update);
  update();
})();
