// A "select all" checkbox: <input type="checkbox" data-select-all="users"> ticks or clears every
// input[name=users] of the page.
document.querySelectorAll("[data-select-all]").forEach((toggle) => {
  toggle.addEventListener("click", () => {
    document.querySelectorAll(`input[name="${toggle.dataset.selectAll}"]`).forEach((box) => {
      box.checked = toggle.checked;
    });
  });
});
