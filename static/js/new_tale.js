// The new-tale form: the tale's own language is not offered again among its further subtitle languages.
(function () {
  "use strict";
  const language = document.getElementById("id_language");
  const boxes = document.querySelectorAll('input[name="subtitles"]');
  if (!language || !boxes.length) return;
  function offerOthers() {
    for (const box of boxes) {
      const own = box.value === language.value;
      box.disabled = own; // a disabled box is not sent; the server drops a duplicate anyway
      if (own) box.checked = false;
      box.closest("label").hidden = own;
    }
  }
  language.addEventListener("change", offerOthers);
  offerOthers();
})();
