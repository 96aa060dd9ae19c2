// The new-tale form: the tale's own language is not offered again among its further subtitle languages,
// and a narrator offers the voices that read it.
(function () {
  "use strict";
  const language = document.getElementById("id_language");
  const boxes = document.querySelectorAll('input[name="subtitles"]');
  if (!language) return;
  function offerOthers() {
    for (const box of boxes) {
      const own = box.value === language.value;
      box.disabled = own; // a disabled box is not sent; the server drops a duplicate anyway
      if (own) box.checked = false;
      box.closest("label").hidden = own;
    }
  }
  // a narrator's voices: only those that read the tale's language (tales/forms.py VoiceSelect)
  function offerVoices() {
    for (const option of document.querySelectorAll("option[data-languages]")) {
      const speaks = option.dataset.languages.split(" ").includes(language.value);
      option.hidden = !speaks;
      option.disabled = !speaks;
      if (!speaks && option.selected) option.closest("select").value = "";  // back to the default
    }
  }
  language.addEventListener("change", offerOthers);
  language.addEventListener("change", offerVoices);
  offerOthers();
  offerVoices();
})();
