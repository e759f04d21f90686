// A search box that picks one row among thousands: it asks the server for the rows whose name
// matches what is typed and offers them in a list; choosing one puts its id in the hidden input
// the form posts. Clearing the box clears the choice.
(function () {
  const attach = (box) => {
    const input = box.querySelector("[data-autocomplete-input]");
    const value = box.querySelector("[data-autocomplete-value]");
    const options = box.querySelector("datalist");
    let timer = null;
    let ids = new Map();
    const pick = () => {
      if (!input.value.trim()) value.value = "";
      else if (ids.has(input.value)) value.value = ids.get(input.value);
    };
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
})();
