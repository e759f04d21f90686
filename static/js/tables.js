// A wide table scrolls inside its .table-responsive box (on a phone): while it does, the box
// takes the keyboard focus, so that it can be scrolled with the arrow keys too.
(function () {
  const boxes = [...document.querySelectorAll(".table-responsive:not([tabindex])")];
  const update = () => {
    boxes.forEach((box) => {
      if (box.scrollWidth > box.clientWidth) box.tabIndex = 0;
      else box.removeAttribute("tabindex");
    });
  };
  update();
  window.addEventListener("resize", update);
})();
