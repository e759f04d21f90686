// While a coverage check is running, ask the server every two seconds whether it has finished,
// then reload the dashboard so every figure comes from the new check.
(function () {
  const card = document.getElementById("coverage-run");
  if (!card || card.dataset.state !== "running") return;
  const poll = async () => {
    try {
      const response = await fetch(card.dataset.statusUrl, { headers: { Accept: "application/json" } });
      if (response.ok && (await response.json()).state !== "running") {
        window.location.reload();
        return;
      }
    } catch (error) {
      // A dropped connection: try again at the next tick.
    }
    window.setTimeout(poll, 2000);
  };
  window.setTimeout(poll, 2000);
})();
