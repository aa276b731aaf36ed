// Suspensions: print the notice; tick the articles of the incidents a proposal cites.
(function () {
  "use strict";
  var printButton = document.getElementById("print-notice");
  if (printButton) {
    printButton.addEventListener("click", function () { window.print(); });
  }
  document.querySelectorAll("input[data-articles]").forEach(function (incident) {
    incident.addEventListener("change", function () {
      if (!incident.checked) { return; }
      incident.dataset.articles.split(" ").forEach(function (code) {
        var box = document.querySelector('input[name="articles"][value="' + code + '"]');
        if (box) { box.checked = true; }
      });
    });
  });
})();
