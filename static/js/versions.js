// Version lists that follow the skill: a <select data-versions-of="NAME"> offers the versions
// of the skill chosen in the field NAME of the same form, fetched from data-versions-url
// when that skill changes. Without this script the server still checks the pair on save.
(function () {
  const refill = async (select, skillId) => {
    const empty = select.options[0] ? select.options[0].cloneNode(true) : new Option("", "");
    empty.selected = true;
    if (!skillId) {
      select.replaceChildren(empty);
      return;
    }
    const url = new URL(select.dataset.versionsUrl, window.location.href);
    url.searchParams.set("skill", skillId);
    try {
      const response = await fetch(url, { headers: { Accept: "application/json" } });
      if (!response.ok) return;
      const { results } = await response.json();
      select.replaceChildren(empty, ...results.map((row) => new Option(row.text, row.id)));
    } catch (error) {
      // Offline or refused: the list stays as it was, and the server checks on save.
    }
  };
  document.addEventListener("change", (event) => {
    const skill = event.target;
    if (!skill.name || !skill.form) return;
    skill.form.querySelectorAll("select[data-versions-of]").forEach((select) => {
      if (select.dataset.versionsOf === skill.name) refill(select, skill.value);
    });
  });
})();
