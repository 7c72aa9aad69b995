// Asks before running an action that declares a confirmation (buttons with data-confirm).
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-confirm]");
  if (button && !window.confirm(button.getAttribute("data-confirm"))) {
    event.preventDefault();
  }
});

// "With selected" bulk actions (Flask-Admin's actions.js), started without inline handlers.
document.addEventListener("click", function (event) {
  var item = event.target.closest("[data-model-action]");
  if (item && window.modelActions) {
    event.preventDefault();
    window.modelActions.execute(item.getAttribute("data-model-action"));
  }
});

// The Content-Security-Policy forbids following javascript: links; scripts handle those clicks.
document.addEventListener("click", function (event) {
  if (event.target.closest('a[href^="javascript:"]')) {
    event.preventDefault();
  }
}, true);
