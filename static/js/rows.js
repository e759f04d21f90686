// Rows added and removed in the page for the formsets of core/_formset_table.html: "Add a row"
// copies the formset's empty form (its <template>) under the next index and counts it in the
// management form's TOTAL_FORMS; "Remove" takes a row not yet saved out again and renumbers the
// new rows after it, so the indexes stay 0..TOTAL_FORMS-1. Saved rows keep their Remove box.
// No more rows than data-formset-max (the server refuses more anyway).
(function () {
  const RENAMED = ["name", "id", "for", "list", "aria-describedby", "data-versions-of", "data-autocomplete-name"];

  const renumber = (row, prefix, from, to) => {
    const before = `${prefix}-${from}-`;
    const after = `${prefix}-${to}-`;
    row.querySelectorAll("*").forEach((element) => {
      RENAMED.forEach((attribute) => {
        const value = element.getAttribute(attribute);
        if (value && value.includes(before)) element.setAttribute(attribute, value.replace(before, after));
      });
    });
  };

  const setUp = (formset) => {
    const prefix = formset.dataset.formset;
    const max = Number(formset.dataset.formsetMax);
    const total = formset.querySelector(`input[name="${prefix}-TOTAL_FORMS"]`);
    const initial = Number(formset.querySelector(`input[name="${prefix}-INITIAL_FORMS"]`).value);
    const template = formset.querySelector("template[data-formset-empty]");
    const table = formset.querySelector("table");
    const add = formset.querySelector("[data-formset-add]");
    const full = formset.querySelector("[data-formset-full]");
    const rows = () => [...table.querySelectorAll(":scope > tbody[data-formset-row]")];

    const refresh = () => {
      const count = rows().length;
      total.value = String(count);
      add.disabled = count >= max;
      full.hidden = count < max;
    };

    add.addEventListener("click", () => {
      const count = rows().length;
      if (count >= max) return;
      const holder = document.createElement("template");
      holder.innerHTML = template.innerHTML.replaceAll("__prefix__", String(count));
      const row = holder.content.firstElementChild;
      row.querySelectorAll("[data-formset-remove]").forEach((button) => {
        button.hidden = false;
      });
      table.append(row);
      refresh();
      row.dispatchEvent(new CustomEvent("rows:added", { bubbles: true }));
      const first = row.querySelector("input:not([type=hidden]), select, textarea");
      if (first) first.focus();
    });

    table.addEventListener("click", (event) => {
      const button = event.target.closest("[data-formset-remove]");
      if (!button) return;
      const all = rows();
      const index = all.indexOf(button.closest("tbody"));
      if (index < initial) return;
      all[index].remove();
      all.slice(index + 1).forEach((row, offset) => renumber(row, prefix, index + 1 + offset, index + offset));
      refresh();
      add.focus();
    });

    formset.querySelectorAll("[data-formset-remove], [data-formset-add]").forEach((button) => {
      button.hidden = false;
    });
    refresh();
  };

  document.querySelectorAll("[data-formset]").forEach(setUp);
})();
