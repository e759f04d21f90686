// A button marked data-print prints the page; the print stylesheet (covered.css) leaves out
// what is not the document itself (menus, forms, buttons).
document.querySelectorAll("[data-print]").forEach((button) => {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
});
