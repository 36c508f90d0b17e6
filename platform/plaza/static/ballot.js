/* Budget ballot: keep "… of … used" up to date while residents tick projects, and say when the choices
   cost more than the budget. Progressive enhancement only: without this script the server shows the same
   line with the choices it has and refuses a ballot over the budget when it is sent. */
(function () {
  "use strict";
  var fieldset = document.querySelector("[data-budget-ballot]");
  var total = document.getElementById("budget-total");
  if (!fieldset || !total) { return; }
  var used = total.querySelector(".budget-used bdi") || total.querySelector(".budget-used");
  var over = total.querySelector(".budget-over");
  var budget = Number(total.getAttribute("data-budget"));
  var money;
  try {
    money = new Intl.NumberFormat(document.documentElement.lang || undefined, {
      style: "currency", currency: total.getAttribute("data-currency") || "EUR",
      minimumFractionDigits: 0, maximumFractionDigits: 0
    });
  } catch (error) {
    money = new Intl.NumberFormat();
  }
  function update() {
    var sum = 0;
    fieldset.querySelectorAll("input[type=checkbox][data-cost]").forEach(function (box) {
      if (box.checked) { sum += Number(box.getAttribute("data-cost")) || 0; }
    });
    used.textContent = money.format(sum);
    if (over) { over.hidden = sum <= budget; }
  }
  fieldset.addEventListener("change", update);
  update();
}());
