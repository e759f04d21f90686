// A search box that picks rows among thousands: it asks the server for the rows whose name
// matches what is typed and offers them in a list. For one row, choosing puts its id in the
// hidden input the form posts, and clearing the box clears the choice; for several
// (data-autocomplete-multiple), each choice becomes a removable chip with its own hidden input.
// Boxes in rows added later (static/js/rows.js) are set up when their row arrives.
(function () {
  const chip = (box, id, label) => {
    const item = document.createElement("li");
    item.className = "badge text-bg-primary fw-normal d-inline-flex align-items-center gap-1";
    const hidden = Object.assign(document.createElement("input"), {
      type: "hidden",
      name: box.dataset.autocompleteName,
      value: id,
    });
    const remove = Object.assign(document.createElement("button"), {
      type: "button",
      className: "btn-close btn-close-white btn-close-sm",
    });
    remove.setAttribute("aria-label", `Remove ${label}`);
    remove.dataset.autocompleteRemove = "";
    item.append(hidden, label, remove);
    return item;
  };
  const attach = (box) => {
    if (box.dataset.autocompleteReady) return;
    box.dataset.autocompleteReady = "true";
    const input = box.querySelector("[data-autocomplete-input]");
    const value = box.querySelector("[data-autocomplete-value]");
    const chosen = box.querySelector("[data-autocomplete-chosen]");
    const options = box.querySelector("datalist");
    let timer = null;
    let ids = new Map();
    const pick = () => {
      if (chosen) {
        const id = ids.get(input.value);
        if (id === undefined) return;
        const taken = [...chosen.querySelectorAll("input")].some((field) => field.value === id);
        if (!taken) chosen.append(chip(box, id, input.value));
        input.value = "";
        return;
      }
      const before = value.value;
      if (!input.value.trim()) value.value = "";
      else if (ids.has(input.value)) value.value = ids.get(input.value);
      // Tell the form a choice changed (a version list follows its skill, see versions.js).
      if (value.value !== before) value.dispatchEvent(new Event("change", { bubbles: true }));
    };
    if (chosen) {
      chosen.addEventListener("click", (event) => {
        if (event.target.matches("[data-autocomplete-remove]")) event.target.closest("li").remove();
      });
    }
    const search = async () => {
      const url = new URL(box.dataset.autocompleteUrl, window.location.href);
      url.searchParams.set("q", input.value.trim());
      try {
        const response = await fetch(url, { headers: { Accept: "application/json" } });
        if (!response.ok) return;
        const { results } = await response.json();
        ids = new Map(results.map((row) => [row.text, String(row.id)]));
        options.replaceChildren(
          ...results.map((row) => Object.assign(document.createElement("option"), { value: row.text }))
        );
        pick();
      } catch (error) {
        // Offline or refused: the list stays as it was.
      }
    };
    input.addEventListener("input", () => {
      pick();
      window.clearTimeout(timer);
      timer = window.setTimeout(search, 200);
    });
    input.addEventListener("change", pick);
  };
  document.querySelectorAll("[data-autocomplete-url]").forEach(attach);
  // Rows added in the page (static/js/rows.js) bring search boxes of their own.
  document.addEventListener("rows:added", (event) => {
    event.target.querySelectorAll("[data-autocomplete-url]").forEach(attach);
  });
})();
