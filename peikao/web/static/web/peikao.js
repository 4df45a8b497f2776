// Small behaviours of every page, as a static file: the Content-Security-Policy allows no inline script.
// - a[data-back]: go back in the browser's history.
// - form[data-confirm]: ask before submitting (a form submitted by a script, form.submit(), is not asked).
document.addEventListener("click", function (event) {
  var back = event.target.closest && event.target.closest("a[data-back]");
  if (back && window.history.length > 1) {
    event.preventDefault();
    window.history.back();
  }
});
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (form.dataset && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
    event.preventDefault();
  }
});
