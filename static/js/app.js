// Dealer CR — small page helpers shared by every page.
document.addEventListener("htmx:configRequest", (event) => {
  const token = document.querySelector("[name=csrfmiddlewaretoken]");
  if (token) event.detail.headers["X-CSRFToken"] = token.value;
});

// A select whose options follow another field of its form (data-follows="department"): options
// whose data-departments list the chosen value, or are empty (store-wide people), stay visible.
function followChoice(select) {
  const source = select.form && select.form.elements[select.dataset.follows];
  if (!source) return;
  const chosen = source.value;
  for (const option of select.options) {
    if (!option.value) continue;
    const departments = (option.dataset.departments || "").split(" ").filter(Boolean);
    const shown = !chosen || departments.length === 0 || departments.includes(chosen);
    option.hidden = !shown;
    option.disabled = !shown;
    if (!shown && option.selected) select.value = "";
  }
}
function followAll(root) {
  root.querySelectorAll("select[data-follows]").forEach(followChoice);
}
document.addEventListener("DOMContentLoaded", () => followAll(document));
document.addEventListener("htmx:load", (event) => followAll(event.target));
document.addEventListener("change", (event) => {
  const field = event.target;
  if (!field.form || !field.name) return;
  field.form.querySelectorAll(`select[data-follows="${field.name}"]`).forEach(followChoice);
});

// "Select all" boxes: <input type="checkbox" data-select-all="alert"> ticks every box named "alert".
document.addEventListener("change", (event) => {
  const name = event.target.dataset && event.target.dataset.selectAll;
  if (!name) return;
  document.querySelectorAll(`input[type=checkbox][name="${name}"]`).forEach((box) => {
    box.checked = event.target.checked;
  });
});

// Stacked tables on a phone (static/css/app.css, table.table-stack): a cell without its own
// data-label takes its column's header, so a template only adds the class.
function labelStackedCells(root) {
  root.querySelectorAll("table.table-stack").forEach((table) => {
    const headers = [...table.querySelectorAll("thead th")].map((th) => th.textContent.trim());
    table.querySelectorAll("tbody tr").forEach((row) => {
      [...row.children].forEach((cell, index) => {
        if (!cell.hasAttribute("data-label") && headers[index] && !cell.hasAttribute("colspan")) {
          cell.setAttribute("data-label", headers[index]);
        }
      });
    });
  });
}
document.addEventListener("DOMContentLoaded", () => labelStackedCells(document));
document.addEventListener("htmx:load", (event) => labelStackedCells(event.target));

// Print buttons ([data-print]): the browser's print dialog, where "Save as PDF" is one choice. The
// page prints as it is shown, with static/css/print.css's @media print rules.
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-print]")) window.print();
});
// Closed <details> (a report package's tables) print open, and close again afterwards.
window.addEventListener("beforeprint", () => {
  document.querySelectorAll("details:not([open])").forEach((el) => {
    el.setAttribute("open", "");
    el.dataset.printOpened = "1";
  });
});
window.addEventListener("afterprint", () => {
  document.querySelectorAll("details[data-print-opened]").forEach((el) => {
    el.removeAttribute("open");
    delete el.dataset.printOpened;
  });
});
