// Tell the user at once when the chosen files are over the upload limit (the server refuses
// them anyway, before reading them).
(function () {
  "use strict";
  var form = document.getElementById("upload-form");
  if (!form) { return; }
  var limit = parseInt(form.getAttribute("data-max-bytes"), 10);
  form.addEventListener("submit", function (event) {
    var total = 0;
    form.querySelectorAll("input[type=file]").forEach(function (input) {
      Array.prototype.forEach.call(input.files || [], function (file) { total += file.size; });
    });
    if (limit && total > limit) {
      event.preventDefault();
      var mb = Math.round(limit / 1048576);
      var summary = document.createElement("div");
      summary.className = "govuk-error-summary";
      summary.setAttribute("tabindex", "-1");
      var alert = document.createElement("div");
      alert.setAttribute("role", "alert");
      var title = document.createElement("h2");
      title.className = "govuk-error-summary__title";
      title.textContent = "There is a problem";
      var body = document.createElement("div");
      body.className = "govuk-error-summary__body";
      var p = document.createElement("p");
      p.className = "govuk-body";
      p.textContent = "The files are too large: a return can be up to " + mb + " MB in all.";
      body.appendChild(p);
      alert.appendChild(title);
      alert.appendChild(body);
      summary.appendChild(alert);
      var old = document.querySelector(".govuk-error-summary");
      if (old) { old.remove(); }
      form.parentNode.insertBefore(summary, form);
      summary.focus();
    }
  });
}());
