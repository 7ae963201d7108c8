// Turn each LA <select data-autocomplete> into an accessible-autocomplete. Without JavaScript
// (or if this fails) the plain <select> still works.
(function () {
  "use strict";
  if (!window.accessibleAutocomplete) { return; }
  var selects = document.querySelectorAll("select[data-autocomplete]");
  Array.prototype.forEach.call(selects, function (select) {
    window.accessibleAutocomplete.enhanceSelectElement({
      selectElement: select,
      defaultValue: "",
      showAllValues: false,
      dropdownArrow: function () { return ""; },
      placeholder: "",
      minLength: 1
    });
  });
}());
