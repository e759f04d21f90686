// A wide table scrolls inside its .table-responsive box (phones): such a box is made a named,
// focusable region, so that it can be scrolled with the keyboard too.
(function () {
  const name = (box) => {
    const caption = box.querySelector("caption");
    if (caption) return caption.textContent.trim();
    const section = box.closest("section[aria-labelledby], [aria-labelledby].card");
    const heading = section && document.getElementById(section.getAttribute("aria-labelledby"));
    if (heading) return heading.textContent.trim();
    const title = document.querySelector("h1");
    return title ? title.textContent.trim() : "Table";
  };
  document.querySelectorAll(".table-responsive:not([tabindex])").forEach((box) => {
    box.tabIndex = 0;
    if (!box.hasAttribute("role")) {
      box.setAttribute("role", "region");
      if (!box.hasAttribute("aria-label")) box.setAttribute("aria-label", name(box));
    }
  });
})();
