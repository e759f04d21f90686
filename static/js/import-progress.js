// While the worker reads or imports a long file, show how many rows it has done, then reload
// the page for the preview or the outcome.
(function () {
  const card = document.getElementById("import-progress");
  if (!card) return;
  const bar = card.querySelector("progress");
  const count = card.querySelector('[data-role="count"]');
  const poll = async () => {
    try {
      const response = await fetch(card.dataset.statusUrl, { headers: { Accept: "application/json" } });
      if (response.ok) {
        const status = await response.json();
        if (status.state !== card.dataset.state) {
          window.location.reload();
          return;
        }
        bar.value = status.done;
        count.textContent = status.done;
      }
    } catch (error) {
      // A dropped connection: try again at the next tick.
    }
    window.setTimeout(poll, 1000);
  };
  window.setTimeout(poll, 1000);
})();
